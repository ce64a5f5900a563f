using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Domain.Payments;

public sealed class PaymentStateMachineTests
{
    // The whole table, written out independently of the implementation.
    private static readonly HashSet<(PaymentStatus, PaymentStatus)> Allowed =
    [
        (PaymentStatus.Created, PaymentStatus.Authorized),
        (PaymentStatus.Created, PaymentStatus.ActionRequired),
        (PaymentStatus.Created, PaymentStatus.Declined),
        (PaymentStatus.Created, PaymentStatus.Voided),
        (PaymentStatus.ActionRequired, PaymentStatus.Authorized),
        (PaymentStatus.ActionRequired, PaymentStatus.Declined),
        (PaymentStatus.ActionRequired, PaymentStatus.Voided),
        (PaymentStatus.Authorized, PaymentStatus.Captured),
        (PaymentStatus.Authorized, PaymentStatus.CaptureFailed),
        (PaymentStatus.Authorized, PaymentStatus.Voided),
    ];

    private static readonly Dictionary<PaymentStatus, string> Events = new()
    {
        [PaymentStatus.ActionRequired] = "PaymentActionRequired",
        [PaymentStatus.Captured] = "PaymentCaptured",
        [PaymentStatus.CaptureFailed] = "PaymentCaptureFailed",
        [PaymentStatus.Voided] = "PaymentVoided",
    };

    public static TheoryData<PaymentStatus, PaymentStatus> EveryPair()
    {
        var data = new TheoryData<PaymentStatus, PaymentStatus>();
        foreach (var from in Enum.GetValues<PaymentStatus>())
        {
            foreach (var to in Enum.GetValues<PaymentStatus>())
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Each_pair_of_payment_statuses_is_allowed_exactly_when_the_table_says_so_and_a_forbidden_move_throws(PaymentStatus from, PaymentStatus to)
    {
        var payment = InStatus(from);

        Assert.Equal(Allowed.Contains((from, to)), PaymentStateMachine.CanTransition(from, to));
        if (Allowed.Contains((from, to)))
        {
            var moved = payment.MoveTo(to, TestData.Now.AddHours(1), "code", "secret");
            Assert.Equal(to, moved.Status);
            Assert.Equal(new PaymentChange(to, TestData.Now.AddHours(1), "code"), moved.History[^1]);
            Assert.Equal(payment.History.Count + 1, moved.History.Count);
        }
        else
        {
            var error = Assert.Throws<InvalidPaymentTransitionException>(() => payment.MoveTo(to, TestData.Now));
            Assert.Equal((from, to), (error.From, error.To));
        }
    }

    [Fact]
    public void Declined_captured_capture_failed_and_voided_are_final()
    {
        Assert.Equal(
            [PaymentStatus.Declined, PaymentStatus.Captured, PaymentStatus.CaptureFailed, PaymentStatus.Voided],
            Enum.GetValues<PaymentStatus>().Where(PaymentStateMachine.IsFinal));
    }

    [Theory]
    [InlineData(PaymentStatus.Created, null)]
    [InlineData(PaymentStatus.Authorized, null)]
    [InlineData(PaymentStatus.Declined, null)]
    [InlineData(PaymentStatus.ActionRequired, "PaymentActionRequired")]
    [InlineData(PaymentStatus.Captured, "PaymentCaptured")]
    [InlineData(PaymentStatus.CaptureFailed, "PaymentCaptureFailed")]
    [InlineData(PaymentStatus.Voided, "PaymentVoided")]
    public void A_payment_change_on_the_order_records_its_event_once_and_the_order_has_recorded_it(PaymentStatus status, string? eventType)
    {
        var order = TestData.Advanced(TestData.Order("t1"), OrderStatus.AwaitingPayment);
        order = order.WithPayment(InStatus(status), TestData.Now, "corr-2");
        var again = order.WithPayment(order.Payment!, TestData.Now.AddMinutes(1), "corr-3");

        var paymentEvents = again.Outbox.Where(e => e.Type.StartsWith("Payment", StringComparison.Ordinal)).ToList();
        if (eventType is null)
        {
            Assert.Empty(paymentEvents);
        }
        else
        {
            var recorded = Assert.Single(paymentEvents);
            Assert.Equal((eventType, $"{order.Id}.{eventType}", "corr-2"), (recorded.Type, recorded.Id, recorded.CorrelationId));
            Assert.True(again.HasRecorded(eventType));
        }

        Assert.All(Events.Values.Where(e => e != eventType && !InStatus(status).HasBeen(PaymentStateMachine.StatusAnnouncedBy(e))), e => Assert.False(again.HasRecorded(e)));
    }

    [Fact]
    public void The_client_secret_is_kept_only_while_action_is_required_and_the_failure_code_of_a_decline_stays()
    {
        var waiting = InStatus(PaymentStatus.Created).MoveTo(PaymentStatus.ActionRequired, TestData.Now, clientSecret: "pi_1_secret_2");
        var declined = waiting.MoveTo(PaymentStatus.Declined, TestData.Now, "card_declined");

        Assert.Equal("pi_1_secret_2", waiting.ClientSecret);
        Assert.Null(waiting.MoveTo(PaymentStatus.Authorized, TestData.Now).ClientSecret);
        Assert.Equal((null, "card_declined"), (declined.ClientSecret, declined.FailureCode));
    }

    [Fact]
    public void An_order_without_a_payment_has_recorded_no_payment_event()
    {
        var order = TestData.Order("t1");

        Assert.All(Events.Values, e => Assert.False(order.HasRecorded(e)));
        Assert.Throws<ArgumentException>(() => PaymentStateMachine.StatusAnnouncedBy("OrderShipped"));
    }

    /// <summary>A payment walked to <paramref name="status"/> along allowed moves.</summary>
    private static OrderPayment InStatus(PaymentStatus status)
    {
        var payment = OrderPayment.Created("local", "lpay_1", 2820, "EUR", TestData.Now);
        PaymentStatus[] path = status switch
        {
            PaymentStatus.Created => [],
            PaymentStatus.Captured or PaymentStatus.CaptureFailed => [PaymentStatus.Authorized, status],
            _ => [status],
        };
        return path.Aggregate(payment, (p, next) => p.MoveTo(next, TestData.Now));
    }
}
