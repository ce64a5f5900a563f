using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Payments;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Payments;

/// <summary>
/// The payment consumer's RefundRequested with the local provider and the order on the Cosmos-protocol server: the
/// provider's answer recorded once, its event published once; a pending refund completed later by the provider's
/// report; a refused refund (Stripe's pm_card_refundFail, as the local provider mirrors it) gives nothing back to stock.
/// </summary>
[Collection(DownstreamCollection.Name)]
public sealed class RefundPaymentTests(CosmosServerFixture cosmos, SmtpServerFixture smtp)
{
    private readonly Downstream _app = new(cosmos, smtp);

    [Fact]
    public async Task A_redelivered_refund_message_asks_the_provider_with_one_key_and_records_one_success()
    {
        var (order, refundId) = await RequestedAsync(paymentMethod: null);
        var requested = Downstream.RefundEvent(order, refundId, OrderEventTypes.RefundRequested);

        var first = await _app.PaymentFunction.HandleAsync(requested, CancellationToken.None);
        var again = await _app.PaymentFunction.HandleAsync(requested, CancellationToken.None);

        Assert.Equal((PaymentOutcome.Refunded, PaymentOutcome.AlreadyDone), (first, again));
        Assert.Equal([$"{requested.Id}:refund"], _app.PaymentProvider.KeysOf("Refund"));
        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal(RefundStatus.Succeeded, stored.Refund(refundId)!.Status);
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.RefundSucceeded);
    }

    [Fact]
    public async Task A_pending_refund_waits_for_the_providers_report_which_applies_once_and_an_older_report_changes_nothing()
    {
        var (order, refundId) = await RequestedAsync(paymentMethod: null);
        _app.PaymentProvider.RefundResult = new ProviderRefund(RefundStatus.Pending, "re_pending");

        Assert.Equal(PaymentOutcome.RefundPending, await _app.PaymentFunction.HandleAsync(Downstream.RefundEvent(order, refundId, OrderEventTypes.RefundRequested), CancellationToken.None));
        var paymentId = order.Payment!.PaymentId;
        var succeeded = await _app.RefundOutcomes.HandleAsync(order.TenantId, order.Id, refundId, paymentId, 1250, new ProviderRefund(RefundStatus.Succeeded, "re_pending"), CancellationToken.None);
        var duplicate = await _app.RefundOutcomes.HandleAsync(order.TenantId, order.Id, refundId, paymentId, 1250, new ProviderRefund(RefundStatus.Succeeded, "re_pending"), CancellationToken.None);
        var older = await _app.RefundOutcomes.HandleAsync(order.TenantId, order.Id, refundId, paymentId, 1250, new ProviderRefund(RefundStatus.Pending, "re_pending"), CancellationToken.None);
        var otherRefund = await _app.RefundOutcomes.HandleAsync(order.TenantId, order.Id, refundId, paymentId, 1250, new ProviderRefund(RefundStatus.Failed, "re_other"), CancellationToken.None);

        Assert.Equal((PaymentUpdate.Applied, PaymentUpdate.AlreadyApplied, PaymentUpdate.Superseded, PaymentUpdate.Mismatch), (succeeded, duplicate, older, otherRefund));
        var refund = (await _app.OrderAsync(order.Id)).Refund(refundId)!;
        Assert.Equal([RefundStatus.Requested, RefundStatus.Pending, RefundStatus.Succeeded], refund.History.Select(h => h.Status));
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.RefundSucceeded);
    }

    [Fact]
    public async Task A_refund_the_provider_refuses_is_recorded_failed_with_its_code_and_restocks_nothing()
    {
        await _app.StockedAsync("SKU-R", 10);
        var (order, refundId) = await RequestedAsync(LocalPaymentProvider.RefundFailingMethods.Keys.Single());

        Assert.Equal(PaymentOutcome.RefundFailed, await _app.PaymentFunction.HandleAsync(Downstream.RefundEvent(order, refundId, OrderEventTypes.RefundRequested), CancellationToken.None));
        await _app.PumpAsync();

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal((RefundStatus.Failed, "expired_or_canceled_card"), (stored.Refund(refundId)!.Status, stored.Refund(refundId)!.FailureCode));
        Assert.Equal(0, stored.RefundedMinor);
        Assert.Equal(10, await _app.AvailableAsync("SKU-R"));
        Assert.DoesNotContain(_app.Bus.Sent, m => m.Subject == OrderEventTypes.RefundSucceeded);
    }

    /// <summary>A shipped, captured order of 5 x SKU-R at 2.50 with a refund of 5 with their return requested (its event published): the order and the refund id.</summary>
    private async Task<(Order Order, string RefundId)> RequestedAsync(string? paymentMethod)
    {
        var placed = await _app.PlacedWithAsync("r@example.test", paymentMethod, ("SKU-R", 5));
        var shipped = await _app.ShippedAsync(placed);
        var current = (await _app.Orders.GetAsync(shipped.TenantId, shipped.Id, CancellationToken.None))!;
        var refund = new OrderRefund
        {
            Id = "rfd-0123456789abcdef01234567",
            Status = RefundStatus.Requested,
            AmountMinor = 1250,
            Currency = "EUR",
            Lines = [new RefundLine("SKU-R", 5, WithReturn: true)],
            RequestHash = "hash",
            History = [new RefundChange(RefundStatus.Requested, _app.Clock.GetUtcNow(), null)],
        };
        var written = await _app.Transitions.RequestRefundAsync(current, refund, "corr-1", new AuditAction(AuditActor.System("test"), "order.refundRequested"), CancellationToken.None);
        return (written.Value, refund.Id);
    }
}
