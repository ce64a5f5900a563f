using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// OrderPlaced: reserves stock for each product of the order and moves it on to payment (AwaitingPayment), or rejects
/// it and gives back what it took. Idempotent (a reservation marker per order and product, a decision only from
/// Pending), so a redelivered, replayed or duplicate message has no second effect and a crash between steps is
/// finished by the redelivery. A reservation is only sent on an order read less than
/// <see cref="StockReservation.SnapshotLimit"/> ago, so a delivery that stalled after reading the order as Pending
/// reads it again instead of reserving for an order decided since.
/// </summary>
public sealed partial class ReserveStockHandler(
    IOrderStore orders, IStockStore stock, OrderTransitions transitions, TimeProvider clock, ILogger<ReserveStockHandler> logger)
{
    public async Task<FulfillmentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        var order = await LoadSnapshotAsync(orderEvent, cancellationToken);
        var held = new List<ProductDemand>();
        string? rejection = null;
        foreach (var line in ProductDemand.Of(order.Order.Value))
        {
            var left = StockReservation.TimeLeft(order.ReadAt, clock.GetUtcNow());
            if (left <= TimeSpan.Zero)
            {
                order = await LoadSnapshotAsync(orderEvent, cancellationToken);
                left = StockReservation.SnapshotLimit;
            }

            if (order.Order.Value.Status != OrderStatus.Pending)
            {
                return await NotPendingAsync(order.Order.Value, cancellationToken);
            }

            var outcome = await ReserveAsync(order.Order.Value, line, left, cancellationToken);
            if (outcome == ReservationOutcome.AlreadySettled)
            {
                // Only a decided order has settled reservations, so this delivery is stale.
                order = await LoadSnapshotAsync(orderEvent, cancellationToken);
                return order.Order.Value.Status != OrderStatus.Pending
                    ? await NotPendingAsync(order.Order.Value, cancellationToken)
                    : throw new InvalidOperationException($"Order {order.Order.Value.Id} is pending, yet its reservation of {line.ProductId} is settled.");
            }

            if (outcome is ReservationOutcome.Reserved or ReservationOutcome.AlreadyReserved)
            {
                held.Add(line);
                continue;
            }

            rejection = outcome == ReservationOutcome.InsufficientStock
                ? $"Not enough stock for {line.Name}."
                : $"{line.Name} is no longer available.";
            break;
        }

        var target = rejection is null ? OrderStatus.AwaitingPayment : OrderStatus.Rejected;
        return await ETagRaces.DecideAsync(
            order.Order,
            current => DecideAsync(orderEvent, current, target, rejection, held, cancellationToken),
            _ => orders.GetForEventAsync(orderEvent, cancellationToken));
    }

    /// <summary>One line's reservation, cancelled if it is still in flight when the snapshot it is based on is <paramref name="left"/> older.</summary>
    private async Task<ReservationOutcome> ReserveAsync(Order order, ProductDemand line, TimeSpan left, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(left, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        return await stock.ReserveAsync(order.TenantId, line.ProductId, order.Id, line.Quantity, linked.Token);
    }

    private async Task<FulfillmentOutcome> DecideAsync(
        OrderEvent orderEvent, Versioned<Order> order, OrderStatus target, string? reason, IReadOnlyList<ProductDemand> held, CancellationToken cancellationToken)
    {
        if (order.Value.Status != OrderStatus.Pending)
        {
            // Decided meanwhile, by a concurrent delivery or a cancellation: what this delivery reserved
            // belongs to the order's markers, which a rejected or cancelled order gives back.
            return await NotPendingAsync(order.Value, cancellationToken);
        }

        var written = await transitions.ApplyAsync(order, target, reason, orderEvent.CorrelationId, cancellationToken);
        LogDecided(logger, written.Value.TenantId, written.Value.Id, target, reason);

        // Only once the rejection is recorded: released earlier, a concurrent delivery that reserves the order
        // would move it on without its stock, and one that reserves after the release would hold it forever.
        // What another delivery reserved meanwhile it gives back itself: its own decision then finds the order rejected.
        if (target == OrderStatus.Rejected)
        {
            await stock.ReleaseAsync(written.Value, held, cancellationToken);
        }

        return target == OrderStatus.AwaitingPayment ? FulfillmentOutcome.Reserved : FulfillmentOutcome.Rejected;
    }

    /// <summary>
    /// The order was decided before this delivery got to it: a rejected or cancelled order holds no stock, so
    /// whatever reservation markers it still has (a crash after the decision, a stale duplicate) are given back.
    /// </summary>
    private async Task<FulfillmentOutcome> NotPendingAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.Status is OrderStatus.Rejected or OrderStatus.Cancelled)
        {
            foreach (var line in ProductDemand.Of(order))
            {
                await stock.ReleaseLeftoverAsync(order.TenantId, line.ProductId, order.Id, cancellationToken);
            }
        }

        return FulfillmentOutcome.AlreadyDone;
    }

    /// <summary>Reads the order, noting when (before the read: the snapshot is at least that old).</summary>
    private async Task<Snapshot> LoadSnapshotAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var readAt = clock.GetUtcNow();
        return new Snapshot(await orders.GetForEventAsync(orderEvent, cancellationToken), readAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {TenantId}/{OrderId} is {Status} ({Reason})")]
    private static partial void LogDecided(ILogger logger, string tenantId, string orderId, OrderStatus status, string? reason);

    private sealed record Snapshot(Versioned<Order> Order, DateTimeOffset ReadAt);
}
