using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>
/// One delivery of an order event to a consumer: a consumer span named "{consumer} {event type}" that continues the
/// message's traceparent (see <see cref="TraceContinuation"/>) and a log scope with tenant, order and event type around
/// parsing and handling. A failure is recorded on the span and rethrown, so Service Bus still retries and dead-letters.
/// </summary>
public sealed class OrderEventDelivery(ILogger<OrderEventDelivery> logger)
{
    public async Task HandleAsync(string consumer, ServiceBusReceivedMessage message, Func<OrderEvent, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(handle);
        var traceParent = message.ApplicationProperties.TryGetValue(OrderEventMessages.TraceParentProperty, out var value) ? value as string : null;
        using var activity = TraceContinuation.StartActivity(consumer, ActivityKind.Consumer, traceParent);
        activity?.SetTag("messaging.system", "servicebus");
        activity?.SetTag("messaging.message.id", message.MessageId);
        activity?.SetTag("messaging.message.delivery_count", message.DeliveryCount);
        try
        {
            var orderEvent = OrderEventMessages.Parse(message);
            var scope = TelemetryTags.Scope(orderEvent.TenantId, orderEvent.OrderId, orderEvent.Type);
            if (activity is not null)
            {
                activity.DisplayName = $"{consumer} {orderEvent.Type}";
                activity.Tag(scope);
            }

            using (logger.BeginScope(scope))
            {
                await handle(orderEvent, cancellationToken);
            }
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }
}
