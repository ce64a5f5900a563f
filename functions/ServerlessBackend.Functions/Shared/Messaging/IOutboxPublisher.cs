namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>
/// Publishes an order's pending outbox events to the orders topic and marks them published.
/// HTTP handlers call it right after the write that recorded the events; a failure there is logged
/// and left to the timer-triggered relay, because the write itself already succeeded.
/// </summary>
public interface IOutboxPublisher
{
    Task PublishPendingAsync(string tenantId, string orderId, CancellationToken cancellationToken);
}
