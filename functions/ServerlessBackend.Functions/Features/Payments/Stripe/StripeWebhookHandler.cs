using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.Functions.Features.Payments.Stripe;

/// <summary>
/// Stripe's asynchronous payment outcomes (3-D Secure completed or failed). Nothing is read or written before the
/// signature over the raw body checks out (else 400). The order named in the PaymentIntent's metadata is only updated
/// when it exists in that tenant and its recorded payment is this Stripe intent (<see cref="ApplyPaymentOutcomeHandler"/>);
/// anything else is answered 200 and logged, because Stripe redelivers a non-2xx answer for days and a retry cannot
/// change it. Idempotent by event id without a record of ids: each event type moves the payment to one status, the
/// payment's states form no cycle, and an outcome the payment has reached or passed writes nothing. So a redelivered
/// event, or an older one arriving late, has no effect. Refund events (refund.updated, refund.failed, charge.refunded)
/// are applied the same way to the order's refund their metadata names (<see cref="RefundOutcomes"/>): a refund's states
/// form no cycle either.
/// </summary>
public sealed partial class StripeWebhookHandler(
    IOptions<StripeOptions> options, ApplyPaymentOutcomeHandler outcomes, RefundOutcomes refundOutcomes, TimeProvider clock, ILogger<StripeWebhookHandler> logger)
{
    /// <summary>Stripe events are a few KiB; well under the host's limit.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    public async Task<Outcome<StripeWebhookReceipt>> HandleAsync(ReadOnlyMemory<byte> body, string? signature, CancellationToken cancellationToken)
    {
        var secret = options.Value.WebhookSecret;
        if (!StripeOptions.IsSet(secret))
        {
            return new ApiError(ProblemKind.NotFound, "Stripe webhooks are not enabled here (no webhook signing secret is configured).");
        }

        if (StripeSignature.Verify(body.Span, signature, secret, clock.GetUtcNow()) is { } refusal)
        {
            LogRefused(logger, refusal);
            return new ApiError(ProblemKind.Validation, refusal);
        }

        // Verified over the bytes received (a byte order mark included); read as JSON like every body (the mark skipped).
        if (StripeWebhookEvent.Parse(JsonBody.JsonText(body).Span) is not { } stripeEvent)
        {
            return new ApiError(ProblemKind.Validation, "The body is not a Stripe event.");
        }

        if (stripeEvent.Refunds.Count > 0)
        {
            return Outcome.Ok(await ApplyRefundsAsync(stripeEvent, cancellationToken));
        }

        if (stripeEvent.Outcome is not { } outcome || stripeEvent.PaymentIntentId is not { } intentId)
        {
            return Outcome.Ok(new StripeWebhookReceipt(stripeEvent.Id, StripeWebhookReceipt.Ignored));
        }

        if (stripeEvent.TenantId is not { } tenantId || stripeEvent.OrderId is not { } orderId)
        {
            LogUnmatched(logger, stripeEvent.Id, stripeEvent.Type, intentId, "no order in its metadata");
            return Outcome.Ok(new StripeWebhookReceipt(stripeEvent.Id, StripeWebhookReceipt.Ignored));
        }

        // A public endpoint has no caller's scope: the order the metadata names goes on the span and around what follows.
        var scope = TelemetryTags.Scope(tenantId, orderId);
        Activity.Current.Tag(scope);
        using var logScope = logger.BeginScope(scope);
        var update = await outcomes.HandleAsync(tenantId, orderId, intentId, outcome, cancellationToken);
        if (update is PaymentUpdate.UnknownOrder or PaymentUpdate.Mismatch)
        {
            LogUnmatched(logger, stripeEvent.Id, stripeEvent.Type, intentId, update == PaymentUpdate.UnknownOrder ? "no such order in the tenant" : "not the order's payment");
            return Outcome.Ok(new StripeWebhookReceipt(stripeEvent.Id, StripeWebhookReceipt.Ignored));
        }

        return Outcome.Ok(new StripeWebhookReceipt(stripeEvent.Id, update == PaymentUpdate.Applied ? StripeWebhookReceipt.Applied : StripeWebhookReceipt.AlreadyApplied));
    }

    /// <summary>Each refund the event reports, applied to the order's refund its metadata names; applied when any was.</summary>
    private async Task<StripeWebhookReceipt> ApplyRefundsAsync(StripeWebhookEvent stripeEvent, CancellationToken cancellationToken)
    {
        var results = new List<PaymentUpdate>();
        foreach (var refund in stripeEvent.Refunds)
        {
            if (refund is not { TenantId: { } tenantId, OrderId: { } orderId, OrderRefundId: { } refundId, PaymentIntentId: { } intentId })
            {
                LogUnmatched(logger, stripeEvent.Id, stripeEvent.Type, refund.RefundId, "no order refund in its metadata");
                continue;
            }

            var scope = TelemetryTags.Scope(tenantId, orderId);
            using var logScope = logger.BeginScope(scope);
            var update = await refundOutcomes.HandleAsync(tenantId, orderId, refundId, intentId, refund.AmountMinor, refund.Outcome, cancellationToken);
            if (update is PaymentUpdate.UnknownOrder or PaymentUpdate.Mismatch)
            {
                LogUnmatched(logger, stripeEvent.Id, stripeEvent.Type, refund.RefundId, update == PaymentUpdate.UnknownOrder ? "no such order in the tenant" : "not a refund of the order's payment");
            }

            results.Add(update);
        }

        var result = results.Contains(PaymentUpdate.Applied) ? StripeWebhookReceipt.Applied
            : results.Any(r => r is PaymentUpdate.AlreadyApplied or PaymentUpdate.Superseded) ? StripeWebhookReceipt.AlreadyApplied
            : StripeWebhookReceipt.Ignored;
        return new StripeWebhookReceipt(stripeEvent.Id, result);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Stripe webhook was refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({Type}) for {PaymentIntentId} was not applied: {Reason}")]
    private static partial void LogUnmatched(ILogger logger, string eventId, string type, string paymentIntentId, string reason);
}

/// <summary>The answer to Stripe (shown in its dashboard): the event and what became of it.</summary>
public sealed record StripeWebhookReceipt(string EventId, string Result)
{
    public const string Applied = "applied";
    public const string AlreadyApplied = "already-applied";
    public const string Ignored = "ignored";
}
