using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Metrics;

namespace ServerlessBackend.Functions.Shared.Orders;

/// <summary>
/// Every order status change (cancel, ship, reserve, confirm, reject), every payment and every refund change goes through here: the
/// transition with its history entry and event (a payment change that goes with it in the same document), one replace
/// conditional on the ETag it was decided on, then the publish. So it is also where status changes (order and payment) are counted: once
/// per change written (a redelivery that finds the change made never gets here; a payment-only change is no status change).
/// </summary>
public sealed class OrderTransitions(IOrderStore orders, IOrderOutbox outbox, TimeProvider clock, AppMetrics metrics, AuditTrail auditTrail)
{
    /// <summary>
    /// Returns the version a response carries (see <see cref="IOrderOutbox.PublishAfterWriteAsync"/>). Throws
    /// <see cref="DocumentPreconditionFailedException"/> when the order changed since <paramref name="current"/>
    /// was read, and <see cref="InvalidOrderTransitionException"/> for a move the state machine forbids.
    /// </summary>
    public Task<Versioned<Order>> ApplyAsync(
        Versioned<Order> current, OrderStatus target, string? reason, string? correlationId, CancellationToken cancellationToken) =>
        ApplyAsync(current, target, reason, correlationId, payment: null, cancellationToken);

    /// <summary>As above, for an admin's (or the system's) change: its audit entry goes in the same write (<see cref="WriteAsync"/>).</summary>
    public Task<Versioned<Order>> ApplyAsync(
        Versioned<Order> current, OrderStatus target, string? reason, string? correlationId, AuditAction audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        return WriteAsync(current, current.Value.TransitionTo(target, clock.GetUtcNow(), reason, correlationId), audit, cancellationToken);
    }

    /// <summary>As above, with the order's payment changed to <paramref name="payment"/> in the same write (when given).</summary>
    public Task<Versioned<Order>> ApplyAsync(
        Versioned<Order> current, OrderStatus target, string? reason, string? correlationId, OrderPayment? payment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        var now = clock.GetUtcNow();
        var changed = current.Value.TransitionTo(target, now, reason, correlationId);
        return WriteAsync(current, payment is null ? changed : changed.WithPayment(payment, now, correlationId), audit: null, cancellationToken);
    }

    /// <summary>A payment change without a status change (created, action required, captured, voided), with its event if it has one.</summary>
    public Task<Versioned<Order>> RecordPaymentAsync(Versioned<Order> current, OrderPayment payment, string? correlationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        return WriteAsync(current, current.Value.WithPayment(payment, clock.GetUtcNow(), correlationId), audit: null, cancellationToken);
    }

    /// <summary>
    /// A payment-only change decided on the order's payment: <paramref name="next"/> gives the payment to record, or null
    /// when nothing is left to do; decided again on the re-read order after a lost race (<see cref="OrderRaces"/>).
    /// </summary>
    public Task<Versioned<Order>> RecordPaymentAsync(
        Versioned<Order> current, Func<OrderPayment?, OrderPayment?> next, string? correlationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        return ETagRaces.DecideAsync(
            current,
            async order => next(order.Value.Payment) is { } payment ? await RecordPaymentAsync(order, payment, correlationId, cancellationToken) : order,
            order => orders.RereadAsync(order.Value, cancellationToken));
    }

    /// <summary>A new refund on the order (status Requested) with its RefundRequested event, in one write on the ETag of <paramref name="current"/>.</summary>
    public Task<Versioned<Order>> RequestRefundAsync(Versioned<Order> current, OrderRefund refund, string? correlationId, AuditAction audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        return WriteAsync(current, current.Value.WithNewRefund(refund, clock.GetUtcNow(), correlationId), audit, cancellationToken);
    }

    /// <summary>An existing refund changed (its status, with the event that announces it, or its restock), in one write on the ETag of <paramref name="current"/>.</summary>
    public Task<Versioned<Order>> RecordRefundAsync(Versioned<Order> current, OrderRefund refund, string? correlationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        return WriteAsync(current, current.Value.WithRefund(refund, clock.GetUtcNow(), correlationId), audit: null, cancellationToken);
    }


    /// <summary>
    /// Writes <paramref name="changed"/> (decided on <paramref name="current"/>) on its ETag, then publishes its events. With
    /// <paramref name="audit"/>, the entry (the order's audited fields before and after) is written in the same batch as the
    /// order: the seam for any audited order change, e.g. a refund an admin asks for.
    /// </summary>
    public async Task<Versioned<Order>> WriteAsync(Versioned<Order> current, Order changed, AuditAction? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(changed);
        changed = OrderTrace.Stamp(changed);
        var entry = audit is null ? null : auditTrail.Entry(audit, changed.TenantId, AuditResource.Order(changed.Id), current.Value, changed, AuditFields.Order);
        var etag = await orders.ReplaceAsync(changed, current.ETag, entry, cancellationToken);
        if (changed.Status != current.Value.Status)
        {
            metrics.OrderStatusChanged(changed.TenantId, changed.Status);
        }

        if (changed.Payment is { } payment && payment.Status != current.Value.Payment?.Status)
        {
            metrics.PaymentStatusChanged(changed.TenantId, payment.Status);
        }

        return await outbox.PublishAfterWriteAsync(new Versioned<Order>(changed, etag), cancellationToken);
    }
}
