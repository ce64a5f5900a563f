using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;

namespace ServerlessBackend.Tests.Support;

/// <summary>Valid domain objects with unique ids, for tests that need something stored.</summary>
public static class TestData
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static string NewTenant() => $"tenant-{Guid.NewGuid():N}";

    public static Product Product(string tenantId, string? id = null, decimal price = 12.50m, int stock = 10, bool active = true) => new()
    {
        Id = id ?? $"SKU-{Guid.NewGuid():N}"[..16],
        TenantId = tenantId,
        Name = "Espresso beans",
        Description = "Dark roast, 1 kg",
        Price = price,
        Currency = "EUR",
        AvailableStock = stock,
        Active = active,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    public static Order Order(string tenantId, string customerId = "customer-1", string? id = null, DateTimeOffset? at = null) =>
        Functions.Domain.Orders.Order.Place(
            id ?? $"o-{Guid.NewGuid():N}",
            tenantId,
            customerId,
            "customer@example.test",
            [OrderLine.Priced("SKU-1", "Espresso beans", 2, 12.50m), OrderLine.Priced("SKU-2", "Filter papers", 1, 3.20m)],
            "EUR",
            requestHash: "hash",
            at ?? Now,
            correlationId: "corr-1");

    /// <summary>
    /// The order moved along the shortest allowed path to <paramref name="target"/>, as fulfillment, the payment step and
    /// the admin would: reaching Confirmed records an authorized payment (of the local provider) in the same step.
    /// </summary>
    public static Order Advanced(Order order, OrderStatus target, DateTimeOffset? at = null, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        var when = at ?? Now;
        foreach (var status in PathTo(order.Status, target))
        {
            order = order.TransitionTo(status, when, status == target ? reason : null, "corr-1");
            if (status == OrderStatus.Confirmed)
            {
                order = order.WithPayment(AuthorizedPayment(order, when), when, "corr-1");
            }
        }

        return order;
    }

    /// <summary>The order shipped with its payment captured (what a refund needs), every event published.</summary>
    public static Order ShippedAndCaptured(Order order, DateTimeOffset? at = null)
    {
        var when = at ?? Now;
        var shipped = Advanced(order, OrderStatus.Shipped, when);
        shipped = shipped.WithPayment(shipped.Payment!.MoveTo(PaymentStatus.Captured, when), when, "corr-1");
        return shipped.WithoutPublished([.. shipped.Outbox.Select(e => e.Id)]);
    }

    /// <summary>An authorized payment of the order's total, as the local provider's would be recorded.</summary>
    public static OrderPayment AuthorizedPayment(Order order, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(order);
        return OrderPayment.Created("local", $"lpay_{order.Id}", MinorUnits.ToMinorUnits(order.Total, order.Currency), order.Currency, at)
            .MoveTo(PaymentStatus.Authorized, at);
    }

    /// <summary>The statuses after <paramref name="from"/> on the shortest allowed path to <paramref name="to"/> (breadth first over the state machine).</summary>
    public static IReadOnlyList<OrderStatus> PathTo(OrderStatus from, OrderStatus to)
    {
        var previous = new Dictionary<OrderStatus, OrderStatus> { [from] = from };
        var queue = new Queue<OrderStatus>([from]);
        while (queue.TryDequeue(out var status) && status != to)
        {
            foreach (var next in OrderStateMachine.AllowedFrom(status).Where(n => !previous.ContainsKey(n)))
            {
                previous[next] = status;
                queue.Enqueue(next);
            }
        }

        if (!previous.ContainsKey(to))
        {
            throw new ArgumentException($"No path from {from} to {to}.", nameof(to));
        }

        var path = new List<OrderStatus>();
        for (var status = to; status != from; status = previous[status])
        {
            path.Insert(0, status);
        }

        return path;
    }
}
