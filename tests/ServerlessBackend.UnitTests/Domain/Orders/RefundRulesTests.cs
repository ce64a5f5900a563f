using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Domain.Orders;

/// <summary>The order of TestData: 2 x SKU-1 at 12.50 and 1 x SKU-2 at 3.20 EUR, 28.20 EUR captured (2820 minor units).</summary>
public sealed class RefundRulesTests
{
    private static readonly Order Shipped = TestData.ShippedAndCaptured(TestData.Order("tenant-1"));

    [Theory]
    [InlineData(OrderStatus.Pending)]
    [InlineData(OrderStatus.AwaitingPayment)]
    [InlineData(OrderStatus.Confirmed)]
    [InlineData(OrderStatus.Cancelled)]
    [InlineData(OrderStatus.Rejected)]
    public void An_order_that_has_not_shipped_cannot_be_refunded(OrderStatus status)
    {
        var order = TestData.Advanced(TestData.Order("tenant-1"), status);

        var verdict = RefundRules.Decide(order, new RefundAsk([], null));

        Assert.Equal(RefundRefusal.NotShipped, verdict.Refusal);
    }

    [Fact]
    public void A_shipped_order_whose_capture_failed_cannot_be_refunded()
    {
        var shipped = TestData.Advanced(TestData.Order("tenant-1"), OrderStatus.Shipped);
        var failed = shipped.WithPayment(shipped.Payment!.MoveTo(PaymentStatus.CaptureFailed, TestData.Now, "expired"), TestData.Now, null);

        Assert.Equal(RefundRefusal.NotCaptured, RefundRules.Decide(failed, new RefundAsk([], null)).Refusal);
    }

    [Fact]
    public void Without_lines_or_amount_the_refund_is_what_is_left_of_the_capture()
    {
        Assert.Equal(2820, RefundRules.Decide(Shipped, new RefundAsk([], null)).AmountMinor);
        var partly = WithRefund(Shipped, "rfd-1", 1000, RefundStatus.Succeeded);
        Assert.Equal(1820, RefundRules.Decide(partly, new RefundAsk([], null)).AmountMinor);
    }

    [Fact]
    public void Lines_refund_their_value_and_never_more_than_was_ordered_counting_earlier_refunds()
    {
        var verdict = RefundRules.Decide(Shipped, new RefundAsk([new RefundLine("SKU-1", 1, WithReturn: true)], null));
        Assert.Null(verdict.Refusal);
        Assert.Equal(1250, verdict.AmountMinor);

        var one = WithRefund(Shipped, "rfd-1", 1250, RefundStatus.Pending, new RefundLine("SKU-1", 1, true));
        Assert.Null(RefundRules.Decide(one, new RefundAsk([new RefundLine("SKU-1", 1, false)], null)).Refusal);
        var over = RefundRules.Decide(one, new RefundAsk([new RefundLine("SKU-2", 1, false), new RefundLine("SKU-1", 2, false)], null));
        Assert.Equal(RefundRefusal.LineOverRefunded, over.Refusal);
        Assert.Equal("lines[1].quantity", over.Field);
    }

    [Fact]
    public void A_line_the_order_does_not_have_is_refused_naming_it()
    {
        var verdict = RefundRules.Decide(Shipped, new RefundAsk([new RefundLine("SKU-9", 1, false)], null));

        Assert.Equal(RefundRefusal.UnknownLine, verdict.Refusal);
        Assert.Equal("lines[0].productId", verdict.Field);
    }

    [Fact]
    public void Requested_pending_and_succeeded_refunds_count_against_the_capture_failed_ones_do_not()
    {
        var order = WithRefund(WithRefund(WithRefund(Shipped, "rfd-1", 1000, RefundStatus.Requested), "rfd-2", 800, RefundStatus.Pending), "rfd-3", 1000, RefundStatus.Failed);

        Assert.Equal(1800, order.RefundedMinor);
        Assert.Null(RefundRules.Decide(order, new RefundAsk([], 1020)).Refusal);
        Assert.Equal(RefundRefusal.OverCapture, RefundRules.Decide(order, new RefundAsk([], 1021)).Refusal);
        var full = WithRefund(order, "rfd-4", 1020, RefundStatus.Succeeded);
        Assert.Equal(RefundRefusal.OverCapture, RefundRules.Decide(full, new RefundAsk([], null)).Refusal);
    }

    [Fact]
    public void A_new_refund_records_its_requested_event_with_an_id_per_refund_and_each_outcome_once()
    {
        var one = Shipped.WithNewRefund(New("rfd-a", 500), TestData.Now, "corr");
        var two = one.WithNewRefund(New("rfd-b", 500), TestData.Now, "corr");

        Assert.Equal([$"{Shipped.Id}.rfd-a.RefundRequested", $"{Shipped.Id}.rfd-b.RefundRequested"], two.Outbox.Select(e => e.Id));
        Assert.Equal(["rfd-a", "rfd-b"], two.Outbox.Select(e => e.RefundId));
        var succeeded = two.WithRefund(two.Refund("rfd-a")!.MoveTo(RefundStatus.Succeeded, TestData.Now, "re_1"), TestData.Now, "corr");
        Assert.Equal($"{Shipped.Id}.rfd-a.RefundSucceeded", succeeded.Outbox[^1].Id);
        Assert.True(succeeded.HasRecorded(succeeded.Outbox[^1]));
        Assert.False(succeeded.HasRecorded(succeeded.Outbox[^1] with { RefundId = "rfd-b" }));
        Assert.Throws<ArgumentException>(() => two.WithNewRefund(New("rfd-a", 1), TestData.Now, null));
    }

    [Theory]
    [InlineData(RefundStatus.Requested, RefundStatus.Pending, true)]
    [InlineData(RefundStatus.Requested, RefundStatus.Succeeded, true)]
    [InlineData(RefundStatus.Requested, RefundStatus.Failed, true)]
    [InlineData(RefundStatus.Pending, RefundStatus.Succeeded, true)]
    [InlineData(RefundStatus.Pending, RefundStatus.Failed, true)]
    [InlineData(RefundStatus.Succeeded, RefundStatus.Failed, true)]
    [InlineData(RefundStatus.Pending, RefundStatus.Requested, false)]
    [InlineData(RefundStatus.Succeeded, RefundStatus.Pending, false)]
    [InlineData(RefundStatus.Failed, RefundStatus.Succeeded, false)]
    [InlineData(RefundStatus.Failed, RefundStatus.Pending, false)]
    [InlineData(RefundStatus.Succeeded, RefundStatus.Succeeded, false)]
    public void The_refund_states_form_no_cycle(RefundStatus from, RefundStatus to, bool allowed) =>
        Assert.Equal(allowed, RefundStateMachine.CanTransition(from, to));

    private static OrderRefund New(string id, long amountMinor, params RefundLine[] lines) => new()
    {
        Id = id,
        Status = RefundStatus.Requested,
        AmountMinor = amountMinor,
        Currency = "EUR",
        Lines = lines,
        RequestHash = "h",
        History = [new RefundChange(RefundStatus.Requested, TestData.Now, null)],
    };

    private static Order WithRefund(Order order, string id, long amountMinor, RefundStatus status, params RefundLine[] lines)
    {
        var added = order.WithNewRefund(New(id, amountMinor, lines), TestData.Now, null);
        return status == RefundStatus.Requested ? added : added.WithRefund(added.Refund(id)!.MoveTo(status, TestData.Now, "re_" + id), TestData.Now, null);
    }
}
