using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// Reserves stock for a placed order and confirms or rejects it; releases stock when an order is
/// cancelled; forgets reservations once it has shipped. Every step is idempotent (reservation markers
/// per order and product, decisions only from Pending), so a redelivered, replayed or duplicate message
/// has no second effect, and a crash between steps is finished by the redelivery.
/// </summary>
public sealed partial class FulfillmentHandler(
    IOrderStore orders, IStockStore stock, OrderTransitions transitions, ILogger<FulfillmentHandler> logger)
{
    // The order's ETag also changes when the publisher marks events published; re-read and decide again.
    private const int DecideAttempts = 5;

    public Task<FulfillmentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        return orderEvent.Type switch
        {
            OrderEventTypes.OrderPlaced => FulfillAsync(orderEvent, cancellationToken),
            OrderEventTypes.OrderCancelled => ReleaseAsync(orderEvent, cancellationToken),
            OrderEventTypes.OrderShipped => CommitAsync(orderEvent, cancellationToken),
            _ => Task.FromResult(FulfillmentOutcome.NotForFulfillment),
        };
    }

    private async Task<FulfillmentOutcome> FulfillAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = await LoadAsync(orderEvent, cancellationToken);
        if (order.Value.Status != OrderStatus.Pending)
        {
            // A crash after recording a rejection, or a concurrent delivery, may have left reservations behind.
            await ReleaseIfUndoneAsync(order.Value, cancellationToken);
            return FulfillmentOutcome.AlreadyDone;
        }

        string? rejection = null;
        foreach (var line in Demand(order.Value))
        {
            var outcome = await stock.ReserveAsync(order.Value.TenantId, line.ProductId, order.Value.Id, line.Quantity, cancellationToken);
            if (outcome is ReservationOutcome.Reserved or ReservationOutcome.AlreadyReserved)
            {
                continue;
            }

            rejection = outcome == ReservationOutcome.InsufficientStock
                ? $"Not enough stock for {line.Name}."
                : $"{line.Name} is no longer available.";
            break;
        }

        var target = rejection is null ? OrderStatus.Confirmed : OrderStatus.Rejected;
        return await DecideAsync(orderEvent, order, target, rejection, cancellationToken);
    }

    private async Task<FulfillmentOutcome> DecideAsync(
        OrderEvent orderEvent, Versioned<Order> order, OrderStatus target, string? reason, CancellationToken cancellationToken)
    {
        Versioned<Order> written;
        for (var attempt = 1; ; attempt++)
        {
            if (order.Value.Status != OrderStatus.Pending)
            {
                // Decided meanwhile, by a concurrent delivery or a cancellation: what this delivery reserved
                // belongs to the order's markers, which a rejected or cancelled order gives back.
                await ReleaseIfUndoneAsync(order.Value, cancellationToken);
                return FulfillmentOutcome.AlreadyDone;
            }

            try
            {
                written = await transitions.ApplyAsync(order, target, reason, orderEvent.CorrelationId, cancellationToken);
                break;
            }
            catch (DocumentPreconditionFailedException) when (attempt < DecideAttempts)
            {
                order = await LoadAsync(orderEvent, cancellationToken);
            }
        }

        LogDecided(logger, written.Value.TenantId, written.Value.Id, target, reason);

        // Only once the rejection is recorded: released earlier, a concurrent delivery that confirms the order
        // would keep it confirmed without its stock, and one that reserves after the release would hold it forever.
        await ReleaseIfUndoneAsync(written.Value, cancellationToken);
        return target == OrderStatus.Confirmed ? FulfillmentOutcome.Confirmed : FulfillmentOutcome.Rejected;
    }

    private async Task<FulfillmentOutcome> ReleaseAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = await LoadAsync(orderEvent, cancellationToken);
        // Cancelled and Shipped are final: the history holds them exactly while they are the order's status.
        if (!order.Value.HasRecorded(orderEvent.Type))
        {
            throw new PoisonMessageException(orderEvent.Id, $"order {order.Value.Id} is {order.Value.Status}, not cancelled");
        }

        await ReleaseAllAsync(order.Value, cancellationToken);
        return FulfillmentOutcome.Released;
    }

    private async Task<FulfillmentOutcome> CommitAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = await LoadAsync(orderEvent, cancellationToken);
        if (!order.Value.HasRecorded(orderEvent.Type))
        {
            // Forgetting the markers of an order that has not shipped would keep its stock taken for good.
            throw new PoisonMessageException(orderEvent.Id, $"order {order.Value.Id} is {order.Value.Status}, not shipped");
        }

        foreach (var line in Demand(order.Value))
        {
            await stock.CommitAsync(order.Value.TenantId, line.ProductId, order.Value.Id, cancellationToken);
        }

        return FulfillmentOutcome.Committed;
    }

    /// <summary>A rejected or cancelled order holds no stock: gives back whatever reservation markers it still has.</summary>
    private Task ReleaseIfUndoneAsync(Order order, CancellationToken cancellationToken) =>
        order.Status is OrderStatus.Rejected or OrderStatus.Cancelled
            ? ReleaseAllAsync(order, cancellationToken)
            : Task.CompletedTask;

    private async Task ReleaseAllAsync(Order order, CancellationToken cancellationToken)
    {
        foreach (var line in Demand(order))
        {
            await stock.ReleaseAsync(order.TenantId, line.ProductId, order.Id, cancellationToken);
        }
    }

    private async Task<Versioned<Order>> LoadAsync(OrderEvent orderEvent, CancellationToken cancellationToken) =>
        await orders.GetAsync(orderEvent.TenantId, orderEvent.OrderId, cancellationToken)
            ?? throw new PoisonMessageException(orderEvent.Id, $"order {orderEvent.OrderId} does not exist in tenant {orderEvent.TenantId}");

    /// <summary>Quantity per product (lines of the same product add up), in a fixed order so concurrent orders take products in the same sequence.</summary>
    private static List<ProductDemand> Demand(Order order) =>
        order.Lines
            .GroupBy(l => l.ProductId, StringComparer.Ordinal)
            .Select(g => new ProductDemand(g.Key, g.First().Name, g.Sum(l => l.Quantity)))
            .OrderBy(d => d.ProductId, StringComparer.Ordinal)
            .ToList();

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {TenantId}/{OrderId} is {Status} ({Reason})")]
    private static partial void LogDecided(ILogger logger, string tenantId, string orderId, OrderStatus status, string? reason);

    private sealed record ProductDemand(string ProductId, string Name, int Quantity);
}

public enum FulfillmentOutcome
{
    Confirmed,
    Rejected,
    Released,
    Committed,
    AlreadyDone,
    NotForFulfillment,
}
