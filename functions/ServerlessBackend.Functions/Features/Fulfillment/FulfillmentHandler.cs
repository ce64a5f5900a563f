using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// Reserves stock for a placed order and moves it on to payment (AwaitingPayment) or rejects it; releases stock when
/// an order is cancelled, or rejected after its reservation (a declined payment); settles reservations once it has shipped. Every step is idempotent (reservation markers and
/// tombstones per order and product, decisions only from Pending), so a redelivered, replayed or duplicate
/// message has no second effect, and a crash between steps is finished by the redelivery. A reservation is
/// only sent on an order read less than <see cref="StockReservation.SnapshotLimit"/> ago, so a delivery that
/// stalled after reading the order as Pending reads it again instead of reserving for an order decided since.
/// </summary>
public sealed partial class FulfillmentHandler(
    IOrderStore orders, IStockStore stock, OrderTransitions transitions, TimeProvider clock, ILogger<FulfillmentHandler> logger)
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
            OrderEventTypes.OrderRejected => ReleaseRejectedAsync(orderEvent, cancellationToken),
            OrderEventTypes.OrderShipped => CommitAsync(orderEvent, cancellationToken),
            _ => Task.FromResult(FulfillmentOutcome.NotForFulfillment),
        };
    }

    private async Task<FulfillmentOutcome> FulfillAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = await LoadSnapshotAsync(orderEvent, cancellationToken);
        var held = new List<ProductDemand>();
        string? rejection = null;
        foreach (var line in Demand(order.Order.Value))
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
        return await DecideAsync(orderEvent, order.Order, target, rejection, held, cancellationToken);
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
        Versioned<Order> written;
        for (var attempt = 1; ; attempt++)
        {
            if (order.Value.Status != OrderStatus.Pending)
            {
                // Decided meanwhile, by a concurrent delivery or a cancellation: what this delivery reserved
                // belongs to the order's markers, which a rejected or cancelled order gives back.
                return await NotPendingAsync(order.Value, cancellationToken);
            }

            try
            {
                written = await transitions.ApplyAsync(order, target, reason, orderEvent.CorrelationId, cancellationToken);
                break;
            }
            catch (DocumentPreconditionFailedException) when (attempt < DecideAttempts)
            {
                order = await orders.GetForEventAsync(orderEvent, cancellationToken);
            }
        }

        LogDecided(logger, written.Value.TenantId, written.Value.Id, target, reason);

        // Only once the rejection is recorded: released earlier, a concurrent delivery that reserves the order
        // would move it on without its stock, and one that reserves after the release would hold it forever.
        // What another delivery reserved meanwhile it gives back itself: its own decision then finds the order rejected.
        if (target == OrderStatus.Rejected)
        {
            await ReleaseAllAsync(written.Value, held, cancellationToken);
        }

        return target == OrderStatus.AwaitingPayment ? FulfillmentOutcome.Reserved : FulfillmentOutcome.Rejected;
    }

    private async Task<FulfillmentOutcome> ReleaseAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = await orders.GetForEventAsync(orderEvent, cancellationToken);
        // Cancelled and Shipped are final: the history holds them exactly while they are the order's status.
        if (!order.Value.HasRecorded(orderEvent.Type))
        {
            throw new PoisonMessageException(orderEvent.Id, $"order {order.Value.Id} is {order.Value.Status}, not cancelled");
        }

        await ReleaseAllAsync(order.Value, Demand(order.Value), cancellationToken);
        return FulfillmentOutcome.Released;
    }

    /// <summary>
    /// An order rejected after its stock was reserved (the payment step declined it) gives its stock back. One rejected
    /// for stock (from Pending) was given back by the decision itself, and a crash before that is finished by the
    /// OrderPlaced redelivery, so this costs nothing more than the order read.
    /// </summary>
    private async Task<FulfillmentOutcome> ReleaseRejectedAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = await orders.GetForEventAsync(orderEvent, cancellationToken);
        if (!order.Value.HasRecorded(orderEvent.Type))
        {
            throw new PoisonMessageException(orderEvent.Id, $"order {order.Value.Id} is {order.Value.Status}, not rejected");
        }

        if (!order.Value.HasRecorded(OrderEventTypes.OrderReserved))
        {
            return FulfillmentOutcome.AlreadyDone;
        }

        await ReleaseAllAsync(order.Value, Demand(order.Value), cancellationToken);
        return FulfillmentOutcome.Released;
    }

    private async Task<FulfillmentOutcome> CommitAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = await orders.GetForEventAsync(orderEvent, cancellationToken);
        if (!order.Value.HasRecorded(orderEvent.Type))
        {
            // Settling the reservations of an order that has not shipped would keep its stock taken for good.
            throw new PoisonMessageException(orderEvent.Id, $"order {order.Value.Id} is {order.Value.Status}, not shipped");
        }

        foreach (var line in Demand(order.Value))
        {
            await stock.CommitAsync(order.Value.TenantId, line.ProductId, order.Value.Id, line.Quantity, cancellationToken);
        }

        return FulfillmentOutcome.Committed;
    }

    /// <summary>
    /// The order was decided before this delivery got to it: a rejected or cancelled order holds no stock, so
    /// whatever reservation markers it still has (a crash after the decision, a stale duplicate) are given back.
    /// </summary>
    private async Task<FulfillmentOutcome> NotPendingAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.Status is OrderStatus.Rejected or OrderStatus.Cancelled)
        {
            foreach (var line in Demand(order))
            {
                await stock.ReleaseLeftoverAsync(order.TenantId, line.ProductId, order.Id, cancellationToken);
            }
        }

        return FulfillmentOutcome.AlreadyDone;
    }

    private async Task ReleaseAllAsync(Order order, IEnumerable<ProductDemand> lines, CancellationToken cancellationToken)
    {
        foreach (var line in lines)
        {
            await stock.ReleaseAsync(order.TenantId, line.ProductId, order.Id, line.Quantity, cancellationToken);
        }
    }

    /// <summary>Reads the order, noting when (before the read: the snapshot is at least that old).</summary>
    private async Task<Snapshot> LoadSnapshotAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var readAt = clock.GetUtcNow();
        return new Snapshot(await orders.GetForEventAsync(orderEvent, cancellationToken), readAt);
    }

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

    private sealed record Snapshot(Versioned<Order> Order, DateTimeOffset ReadAt);
}

public enum FulfillmentOutcome
{
    /// <summary>Stock reserved; the order awaits its payment.</summary>
    Reserved,
    Rejected,
    Released,
    Committed,
    AlreadyDone,
    NotForFulfillment,
}
