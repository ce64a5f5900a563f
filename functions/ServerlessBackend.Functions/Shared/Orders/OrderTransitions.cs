using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Telemetry;

namespace ServerlessBackend.Functions.Shared.Orders;

/// <summary>
/// Every order status change (cancel, ship, confirm, reject) goes through here: the transition with its
/// history entry and event, one replace conditional on the ETag it was decided on, then the publish. So it is also
/// where status changes are counted: once per change written (a redelivery that finds the change made never gets here).
/// </summary>
public sealed class OrderTransitions(IOrderStore orders, IOrderOutbox outbox, TimeProvider clock, AppMetrics metrics)
{
    /// <summary>
    /// Returns the version a response carries (see <see cref="IOrderOutbox.PublishAfterWriteAsync"/>). Throws
    /// <see cref="DocumentPreconditionFailedException"/> when the order changed since <paramref name="current"/>
    /// was read, and <see cref="InvalidOrderTransitionException"/> for a move the state machine forbids.
    /// </summary>
    public async Task<Versioned<Order>> ApplyAsync(
        Versioned<Order> current, OrderStatus target, string? reason, string? correlationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        var changed = current.Value.TransitionTo(target, clock.GetUtcNow(), reason, correlationId);
        var etag = await orders.ReplaceAsync(changed, current.ETag, cancellationToken);
        metrics.OrderStatusChanged(changed.TenantId, target);
        return await outbox.PublishAfterWriteAsync(new Versioned<Order>(changed, etag), cancellationToken);
    }
}
