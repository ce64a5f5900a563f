using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Functions.Platform.Telemetry;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Shared.Orders;

/// <inheritdoc cref="IOrderOutbox"/>
public sealed partial class OrderOutbox(IOrderStore orders, ServiceBusSender sender, ILogger<OrderOutbox> logger) : IOrderOutbox
{
    public async Task<Versioned<Order>> PublishAfterWriteAsync(Versioned<Order> written, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(written);
        using var scope = logger.BeginScope(TelemetryTags.Scope(written.Value.TenantId, written.Value.Id));
        try
        {
            var marked = await SendAndMarkAsync(written, cancellationToken);

            // Every status, payment or refund change appends to a history; marking touches only the outbox.
            return marked.Value.StatusHistory.Count == written.Value.StatusHistory.Count
                && marked.Value.Payment?.History.Count == written.Value.Payment?.History.Count
                && marked.Value.Refunds.Sum(r => r.History.Count) == written.Value.Refunds.Sum(r => r.History.Count) ? marked : written;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A known, handled failure: one warning, no stack trace.
            LogLeftToRelay(logger, written.Value.TenantId, written.Value.Id, e.GetType().Name, e.Message);
            return written;
        }
    }

    public async Task<int> RelayAsync(string tenantId, string orderId, CancellationToken cancellationToken)
    {
        // The relay's timer invocation has no order scope of its own.
        using var scope = logger.BeginScope(TelemetryTags.Scope(tenantId, orderId));
        var order = await orders.GetAsync(tenantId, orderId, cancellationToken);
        if (order is null)
        {
            return 0;
        }

        await SendAndMarkAsync(order, cancellationToken);
        return order.Value.Outbox.Count;
    }

    /// <summary>Send, then mark (compare-and-swap on the ETag of <paramref name="order"/>); returns the order as it stands after the mark.</summary>
    private async Task<Versioned<Order>> SendAndMarkAsync(Versioned<Order> order, CancellationToken cancellationToken)
    {
        var pending = order.Value.Outbox;
        if (pending.Count == 0)
        {
            return order;
        }

        await PublishAsync(order.Value, pending, cancellationToken);
        var marked = await orders.MarkPublishedAsync(order, pending.Select(e => e.Id).ToList(), cancellationToken);
        LogPublished(logger, pending.Count, order.Value.TenantId, order.Value.Id);

        // Null only when the order was deleted meanwhile: there is no newer version to report.
        return marked ?? order;
    }

    /// <summary>
    /// The send, one atomic batch through the app's one sender for the orders topic (<see cref="OrderEventMessages.ToMessage"/>), as a
    /// producer span "publish {event types}" with the order's tenant and id; Service Bus unreachable is a <see cref="DependencyUnavailableException"/>.
    /// </summary>
    private async Task PublishAsync(Order order, IReadOnlyList<OrderEvent> pending, CancellationToken cancellationToken)
    {
        var types = string.Join(",", pending.Select(e => e.Type).Distinct());
        using var activity = AppTelemetry.Source.StartActivity($"publish {types}", ActivityKind.Producer);
        activity.Tag(TelemetryTags.Scope(order.TenantId, order.Id, types));
        try
        {
            await ServiceBusErrors.Translate(() => sender.SendMessagesAsync(pending.Select(OrderEventMessages.ToMessage).ToList(), cancellationToken));
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Count} event(s) of order {TenantId}/{OrderId}")]
    private static partial void LogPublished(ILogger logger, int count, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the outbox of order {TenantId}/{OrderId} failed ({Error}: {Reason}); the outbox relay will publish it")]
    private static partial void LogLeftToRelay(ILogger logger, string tenantId, string orderId, string error, string reason);
}
