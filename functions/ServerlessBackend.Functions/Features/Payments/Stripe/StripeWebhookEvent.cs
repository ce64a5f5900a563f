using System.Text;
using global::Stripe;

namespace ServerlessBackend.Functions.Features.Payments.Stripe;

/// <summary>
/// A verified Stripe event read for what it means to an order: the PaymentIntent it is about, the order its metadata
/// names (to be checked, never trusted), and the authorization outcome it reports, if it reports one.
/// </summary>
internal sealed record StripeWebhookEvent(string Id, string Type, string? PaymentIntentId, string? TenantId, string? OrderId, AuthorizationResult? Outcome)
{
    /// <summary>The refund events read (each reports the refunds' current status); charge.refunded names its refunds when the charge carries them.</summary>
    public static IReadOnlySet<string> RefundEventTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        EventTypes.RefundUpdated, EventTypes.RefundFailed, EventTypes.ChargeRefunded,
    };

    /// <summary>The refunds a refund event reports (none for any other event).</summary>
    public IReadOnlyList<StripeRefundReport> Refunds { get; init; } = [];

    /// <summary>The event types that report an authorization outcome, and the outcome each must report.</summary>
    public static IReadOnlyDictionary<string, AuthorizationStatus> Outcomes { get; } = new Dictionary<string, AuthorizationStatus>(StringComparer.Ordinal)
    {
        [EventTypes.PaymentIntentAmountCapturableUpdated] = AuthorizationStatus.Authorized,
        [EventTypes.PaymentIntentPaymentFailed] = AuthorizationStatus.Declined,
        [EventTypes.PaymentIntentCanceled] = AuthorizationStatus.Declined,
        [EventTypes.PaymentIntentRequiresAction] = AuthorizationStatus.ActionRequired,
    };

    /// <summary>Null when the body is not a Stripe event.</summary>
    public static StripeWebhookEvent? Parse(ReadOnlySpan<byte> body)
    {
        Event stripeEvent;
        try
        {
            // Read whatever API version the endpoint renders events in: only long-stable fields are used.
            stripeEvent = EventUtility.ParseEvent(Encoding.UTF8.GetString(body), throwOnApiVersionMismatch: false);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            // Stripe.net reads events with System.Text.Json: malformed JSON or a field of the wrong type is a
            // JsonException, a body that is no JSON object an InvalidOperationException.
            return null;
        }

        if (string.IsNullOrEmpty(stripeEvent?.Id) || string.IsNullOrEmpty(stripeEvent.Type))
        {
            return null;
        }

        if (RefundEventTypes.Contains(stripeEvent.Type))
        {
            var refunds = stripeEvent.Data?.Object switch
            {
                global::Stripe.Refund refund => [refund],
                Charge charge => charge.Refunds?.Data ?? [],
                _ => new List<global::Stripe.Refund>(),
            };
            return new StripeWebhookEvent(stripeEvent.Id, stripeEvent.Type, null, null, null, null) { Refunds = [.. refunds.Select(StripeRefundReport.From)] };
        }

        if (stripeEvent.Data?.Object is not PaymentIntent intent)
        {
            return new StripeWebhookEvent(stripeEvent.Id, stripeEvent.Type, null, null, null, null);
        }

        // The event's snapshot of the intent says what happened; one that does not match its type (funds no longer
        // capturable once captured, say) reports nothing.
        var outcome = Outcomes.TryGetValue(stripeEvent.Type, out var expected) && StripeStatus.Authorization(intent) is var read && read.Status == expected
            ? read
            : null;
        return new StripeWebhookEvent(
            stripeEvent.Id,
            stripeEvent.Type,
            intent.Id,
            intent.Metadata?.GetValueOrDefault(StripePaymentProvider.TenantMetadataKey),
            intent.Metadata?.GetValueOrDefault(StripePaymentProvider.OrderMetadataKey),
            outcome);
    }
}

/// <summary>One Stripe Refund as an event reports it: its intent, amount, the order's refund its metadata names (checked, never trusted) and its outcome.</summary>
internal sealed record StripeRefundReport(string RefundId, string? PaymentIntentId, long AmountMinor, string? TenantId, string? OrderId, string? OrderRefundId, ProviderRefund Outcome)
{
    public static StripeRefundReport From(global::Stripe.Refund refund) => new(
        refund.Id,
        refund.PaymentIntentId,
        refund.Amount,
        refund.Metadata?.GetValueOrDefault(StripePaymentProvider.TenantMetadataKey),
        refund.Metadata?.GetValueOrDefault(StripePaymentProvider.OrderMetadataKey),
        refund.Metadata?.GetValueOrDefault(StripePaymentProvider.RefundMetadataKey),
        StripeStatus.Refund(refund));
}
