using System.Text;
using global::Stripe;

namespace ServerlessBackend.Functions.Features.Payments.Stripe;

/// <summary>
/// A verified Stripe event read for what it means to an order: the PaymentIntent it is about, the order its metadata
/// names (to be checked, never trusted), and the authorization outcome it reports, if it reports one.
/// </summary>
internal sealed record StripeWebhookEvent(string Id, string Type, string? PaymentIntentId, string? TenantId, string? OrderId, AuthorizationResult? Outcome)
{
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
