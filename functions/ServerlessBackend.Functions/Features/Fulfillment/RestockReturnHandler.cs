using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// RefundSucceeded: the refund's lines "with return" give their quantity back to stock exactly once, in three steps that
/// each make a redelivery safe. (1) Per product, one conditional patch adds the quantity and a marker under the return's
/// key ("{orderId}:{refundId}"), refused while the marker or its tombstone is there. (2) The refund records RestockedAt
/// on the order (ETag loop); a delivery that reads it does no step 1 again. (3) Each marker settles into a tombstone
/// (<see cref="IStockStore.CommitAsync"/>), kept a tombstone horizon, which outlives any delivery that read the order
/// before step 2: step 1 is only sent on an order read less than <see cref="StockReservation.SnapshotLimit"/> ago, as
/// reservations are.
/// </summary>
public sealed class RestockReturnHandler(IOrderStore orders, IStockStore stock, OrderTransitions transitions, TimeProvider clock)
{
    public async Task<FulfillmentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        var order = await orders.GetRecordedForEventAsync(orderEvent, cancellationToken);
        var readAt = clock.GetUtcNow();
        var refund = order.Value.Refund(orderEvent.RefundId!)!;
        var returned = refund.Returned.ToList();
        if (returned.Count == 0)
        {
            return FulfillmentOutcome.NotForFulfillment;
        }

        var key = ReturnKey(order.Value.Id, refund.Id);
        if (refund.RestockedAt is null)
        {
            foreach (var line in returned)
            {
                if (StockReservation.TimeLeft(readAt, clock.GetUtcNow()) <= TimeSpan.Zero)
                {
                    // A stalled delivery: the order may have recorded the restock since (and its markers be tombstones by now).
                    throw new InvalidOperationException($"The read of order {order.Value.Id} is too old to restock on; the message is retried.");
                }

                await stock.ReturnAsync(order.Value.TenantId, line.ProductId, key, line.Quantity, cancellationToken);
            }

            await ETagRaces.DecideAsync(
                order,
                current => current.Value.Refund(refund.Id) is { RestockedAt: null } open
                    ? transitions.RecordRefundAsync(current, open with { RestockedAt = clock.GetUtcNow() }, orderEvent.CorrelationId, cancellationToken)
                    : Task.FromResult(current),
                current => orders.RereadAsync(current.Value, cancellationToken));
        }

        foreach (var line in returned)
        {
            await stock.CommitAsync(order.Value.TenantId, line.ProductId, key, line.Quantity, cancellationToken);
        }

        return refund.RestockedAt is null ? FulfillmentOutcome.Restocked : FulfillmentOutcome.AlreadyDone;
    }

    /// <summary>The key of one refund's return on the product documents' ledger (never an order id: those have no ':').</summary>
    public static string ReturnKey(string orderId, string refundId) => $"{orderId}:{refundId}";
}
