using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// OrderCancelled and OrderRejected: an order that ended without shipping gives its stock back. Idempotent: a release
/// moves the order's marker to a tombstone, so a redelivery finds nothing left to give back.
/// </summary>
public sealed class ReleaseStockHandler(IOrderStore orders, IStockStore stock)
{
    public async Task<FulfillmentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = (await orders.GetRecordedForEventAsync(orderEvent, cancellationToken)).Value;

        // Rejected from Pending (for stock), the order was given back by the decision itself, and a crash before that is
        // finished by the OrderPlaced redelivery: this costs nothing more than the order read. Rejected after its
        // reservation (a declined payment), it gives its stock back here.
        if (order.Status == OrderStatus.Rejected && !order.HasRecorded(OrderEventTypes.OrderReserved))
        {
            return FulfillmentOutcome.AlreadyDone;
        }

        await stock.ReleaseAsync(order, ProductDemand.Of(order), cancellationToken);
        return FulfillmentOutcome.Released;
    }
}
