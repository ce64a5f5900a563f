using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// OrderShipped: settles the order's reservations (the stock stays taken; a tombstone replaces each marker). Only for
/// an order that has shipped: settling the reservations of one that has not would keep its stock taken for good.
/// </summary>
public sealed class CommitStockHandler(IOrderStore orders, IStockStore stock)
{
    public async Task<FulfillmentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = (await orders.GetRecordedForEventAsync(orderEvent, cancellationToken)).Value;
        foreach (var line in ProductDemand.Of(order))
        {
            await stock.CommitAsync(order.TenantId, line.ProductId, order.Id, line.Quantity, cancellationToken);
        }

        return FulfillmentOutcome.Committed;
    }
}
