using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Domain.Orders;

public sealed class OrderStateMachineTests
{
    // The whole table, written out independently of the implementation.
    private static readonly Dictionary<(OrderStatus, OrderStatus), string> Allowed = new()
    {
        [(OrderStatus.Pending, OrderStatus.AwaitingPayment)] = "OrderReserved",
        [(OrderStatus.Pending, OrderStatus.Rejected)] = "OrderRejected",
        [(OrderStatus.Pending, OrderStatus.Cancelled)] = "OrderCancelled",
        [(OrderStatus.AwaitingPayment, OrderStatus.Confirmed)] = "OrderConfirmed",
        [(OrderStatus.AwaitingPayment, OrderStatus.Rejected)] = "OrderRejected",
        [(OrderStatus.AwaitingPayment, OrderStatus.Cancelled)] = "OrderCancelled",
        [(OrderStatus.Confirmed, OrderStatus.Shipped)] = "OrderShipped",
        [(OrderStatus.Confirmed, OrderStatus.Cancelled)] = "OrderCancelled",
    };

    public static TheoryData<OrderStatus, OrderStatus> EveryPair()
    {
        var data = new TheoryData<OrderStatus, OrderStatus>();
        foreach (var from in Enum.GetValues<OrderStatus>())
        {
            foreach (var to in Enum.GetValues<OrderStatus>())
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Each_pair_of_statuses_is_allowed_exactly_when_the_table_says_so(OrderStatus from, OrderStatus to)
    {
        Assert.Equal(Allowed.ContainsKey((from, to)), OrderStateMachine.CanTransition(from, to));
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void An_allowed_transition_appends_history_and_records_its_event_a_forbidden_one_throws(OrderStatus from, OrderStatus to)
    {
        var order = InStatus(from);

        if (Allowed.TryGetValue((from, to), out var eventType))
        {
            var moved = order.TransitionTo(to, TestData.Now.AddHours(1), "reason", "corr-2");

            Assert.Equal(to, moved.Status);
            Assert.Equal(new StatusChange(to, TestData.Now.AddHours(1), "reason"), moved.StatusHistory[^1]);
            Assert.Equal(order.StatusHistory.Count + 1, moved.StatusHistory.Count);
            var recorded = moved.Outbox[^1];
            Assert.Equal(eventType, recorded.Type);
            Assert.Equal($"{order.Id}.{eventType}", recorded.Id);
            Assert.Equal((order.TenantId, order.Id, "corr-2"), (recorded.TenantId, recorded.OrderId, recorded.CorrelationId));
            Assert.Equal(TestData.Now.AddHours(1), moved.UpdatedAt);
        }
        else
        {
            var error = Assert.Throws<InvalidOrderTransitionException>(() => order.TransitionTo(to, TestData.Now, null, null));
            Assert.Equal((from, to), (error.From, error.To));
        }
    }

    [Fact]
    public void Rejected_shipped_and_cancelled_are_final()
    {
        Assert.Empty(OrderStateMachine.AllowedFrom(OrderStatus.Rejected));
        Assert.Empty(OrderStateMachine.AllowedFrom(OrderStatus.Shipped));
        Assert.Empty(OrderStateMachine.AllowedFrom(OrderStatus.Cancelled));
    }

    [Theory]
    [InlineData(OrderStatus.Pending, "OrderPlaced")]
    [InlineData(OrderStatus.AwaitingPayment, "OrderPlaced OrderReserved")]
    [InlineData(OrderStatus.Confirmed, "OrderPlaced OrderReserved OrderConfirmed")]
    [InlineData(OrderStatus.Rejected, "OrderPlaced OrderRejected")]
    [InlineData(OrderStatus.Shipped, "OrderPlaced OrderReserved OrderConfirmed OrderShipped")]
    [InlineData(OrderStatus.Cancelled, "OrderPlaced OrderCancelled")]
    public void An_order_has_recorded_exactly_the_events_of_the_statuses_in_its_history(OrderStatus status, string recorded)
    {
        var order = InStatus(status);

        foreach (var type in OrderEventTypes.All)
        {
            Assert.True(recorded.Split(' ').Contains(type) == order.HasRecorded(type), $"{status}: {type}");
        }
    }

    [Fact]
    public void A_confirmed_then_cancelled_order_still_has_recorded_its_confirmation()
    {
        var order = InStatus(OrderStatus.Confirmed).TransitionTo(OrderStatus.Cancelled, TestData.Now, null, null);

        Assert.True(order.HasRecorded("OrderConfirmed"));
        Assert.True(order.HasRecorded("OrderCancelled"));
        Assert.False(order.HasRecorded("OrderShipped"));
        Assert.Throws<ArgumentException>(() => order.HasRecorded("OrderLost"));
    }

    [Fact]
    public void A_placed_order_is_pending_totals_its_lines_and_holds_the_placed_event()
    {
        var order = TestData.Order("t1");

        Assert.Equal(OrderStatus.Pending, order.Status);
        Assert.Equal(28.20m, order.Total);
        Assert.Equal([new StatusChange(OrderStatus.Pending, TestData.Now, null)], order.StatusHistory);
        Assert.Equal(["OrderPlaced"], order.Outbox.Select(e => e.Type));
        Assert.Equal(TestData.Now, order.OutboxPendingSince);
    }

    [Fact]
    public void As_placed_restores_the_original_representation_of_a_later_state()
    {
        var order = TestData.Order("t1");
        var later = TestData.Advanced(order, OrderStatus.Confirmed, TestData.Now.AddHours(1));

        var placed = later.AsPlaced();

        Assert.Equal(OrderStatus.Pending, placed.Status);
        Assert.Equal(order.UpdatedAt, placed.UpdatedAt);
        Assert.Equal(order.StatusHistory, placed.StatusHistory);
    }

    [Fact]
    public void Without_published_keeps_unpublished_events_and_their_oldest_time()
    {
        var order = TestData.Order("t1").TransitionTo(OrderStatus.Cancelled, TestData.Now.AddHours(2), null, null);

        var rest = order.WithoutPublished([Order.EventId(order.Id, "OrderPlaced")]);

        Assert.Equal(["OrderCancelled"], rest.Outbox.Select(e => e.Type));
        Assert.Equal(TestData.Now.AddHours(2), rest.OutboxPendingSince);
        Assert.Null(rest.WithoutPublished([.. rest.Outbox.Select(e => e.Id)]).OutboxPendingSince);
    }

    [Fact]
    public void Rejected_is_reached_from_pending_for_stock_and_from_awaiting_payment_for_a_declined_payment_and_only_once()
    {
        var declined = InStatus(OrderStatus.AwaitingPayment).TransitionTo(OrderStatus.Rejected, TestData.Now, "The payment was declined (generic_decline).", null);

        Assert.True(declined.HasRecorded("OrderReserved"));
        Assert.Equal(["OrderPlaced", "OrderReserved", "OrderRejected"], declined.Outbox.Select(e => e.Type));
        Assert.Empty(OrderStateMachine.AllowedFrom(OrderStatus.Rejected));
    }

    /// <summary>The order walked along allowed transitions to <paramref name="status"/>, status by status, from Pending.</summary>
    private static Order InStatus(OrderStatus status)
    {
        var order = TestData.Order("t1");
        OrderStatus[] path = status switch
        {
            OrderStatus.Pending => [],
            OrderStatus.AwaitingPayment => [OrderStatus.AwaitingPayment],
            OrderStatus.Confirmed => [OrderStatus.AwaitingPayment, OrderStatus.Confirmed],
            OrderStatus.Shipped => [OrderStatus.AwaitingPayment, OrderStatus.Confirmed, OrderStatus.Shipped],
            OrderStatus.Rejected or OrderStatus.Cancelled => [status],
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
        return path.Aggregate(order, (o, next) => o.TransitionTo(next, TestData.Now, null, null));
    }
}
