using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Domain.Orders;
using global::Stripe;

namespace ServerlessBackend.Functions.Features.Payments.Stripe;

/// <summary>
/// Payments as Stripe PaymentIntents with manual capture: created unconfirmed (nothing held), confirmed to
/// authorize, captured on shipping, cancelled to void. Every write carries the caller's idempotency key, so a
/// redelivered message gets Stripe's first answer again. A write the intent's state refuses (it was captured or
/// cancelled by an earlier delivery under another key) is settled by reading the intent, never retried forever.
/// Refunds are Refund objects on the intent (POST /v1/refunds with payment_intent, amount and the order's metadata).
/// </summary>
public sealed class StripePaymentProvider : IPaymentProvider
{
    public const string ProviderName = "stripe";

    /// <summary>The PaymentIntent metadata keys that name the order; the webhook reads them back (and checks them).</summary>
    public const string TenantMetadataKey = "tenant_id";
    public const string OrderMetadataKey = "order_id";

    /// <summary>The Refund metadata key that names the order's refund (with the tenant and order keys above).</summary>
    public const string RefundMetadataKey = "refund_id";

    private readonly PaymentIntentService _intents;
    private readonly RefundService _refunds;

    public StripePaymentProvider(IOptions<StripeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        var http = new SystemNetHttpClient(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) },
            settings.MaxNetworkRetries,
            enableTelemetry: false);
        var client = new StripeClient(settings.SecretKey, httpClient: http, apiBase: settings.ApiBase.GetLeftPart(UriPartial.Authority));
        _intents = new PaymentIntentService(client);
        _refunds = new RefundService(client);
    }

    public string Name => ProviderName;

    public async Task<string> CreateAsync(PaymentRequest request, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = new PaymentIntentCreateOptions
        {
            Amount = request.AmountMinor,
            Currency = request.Currency.ToLowerInvariant(),
            CaptureMethod = "manual",
            Confirm = false,

            // The payment method goes with the confirm: one Stripe does not know is then a decline there, not a failed creation.
            // Confirmed by the server without a return_url, so only payment methods that never redirect the customer.
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
            Metadata = new Dictionary<string, string> { [TenantMetadataKey] = request.TenantId, [OrderMetadataKey] = request.OrderId },
        };
        var call = await StripeCall.SendAsync(() => _intents.CreateAsync(options, Keyed(idempotencyKey), cancellationToken), cancellationToken);
        return call.Intent?.Id ?? throw call.Refused("create");
    }

    public async Task<AuthorizationResult> AuthorizeAsync(string paymentId, PaymentRequest request, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PaymentMethod is null)
        {
            // Nothing to confirm with: the customer completes it with the client secret (Stripe.js), the webhook brings the outcome.
            return StripeStatus.Authorization(await ReadAsync(paymentId, cancellationToken));
        }

        var options = new PaymentIntentConfirmOptions { PaymentMethod = request.PaymentMethod };
        var call = await StripeCall.SendAsync(() => _intents.ConfirmAsync(paymentId, options, Keyed(idempotencyKey), cancellationToken), cancellationToken);
        if (call.Intent is { } confirmed)
        {
            return StripeStatus.Authorization(confirmed);
        }

        if (call.IsCardError || call.IsUnknownPaymentMethod)
        {
            return new AuthorizationResult(AuthorizationStatus.Declined, DeclineCode: call.DeclineCode);
        }

        return call.IsUnexpectedState
            ? StripeStatus.Authorization(await ReadAsync(paymentId, cancellationToken))
            : throw call.Refused("confirm");
    }

    public async Task<PaymentCallResult> CaptureAsync(string paymentId, long amountMinor, string idempotencyKey, CancellationToken cancellationToken)
    {
        var options = new PaymentIntentCaptureOptions { AmountToCapture = amountMinor };
        var call = await StripeCall.SendAsync(() => _intents.CaptureAsync(paymentId, options, Keyed(idempotencyKey), cancellationToken), cancellationToken);
        if (call.Intent is { } captured)
        {
            return StripeStatus.Capture(captured) ?? throw StripeStatus.Unsettled("capture", captured);
        }

        if (call.IsCardError || call.Code == "charge_expired_for_capture")
        {
            return new PaymentCallResult(false, call.DeclineCode);
        }

        if (!call.IsUnexpectedState)
        {
            throw call.Refused("capture");
        }

        var intent = await ReadAsync(paymentId, cancellationToken);
        return StripeStatus.Capture(intent) ?? throw StripeStatus.Unsettled("capture", intent);
    }

    public async Task<PaymentCallResult> VoidAsync(string paymentId, string idempotencyKey, CancellationToken cancellationToken)
    {
        var call = await StripeCall.SendAsync(() => _intents.CancelAsync(paymentId, new PaymentIntentCancelOptions(), Keyed(idempotencyKey), cancellationToken), cancellationToken);
        if (call.Intent is { } cancelled)
        {
            return StripeStatus.Void(cancelled) ?? throw StripeStatus.Unsettled("cancel", cancelled);
        }

        if (!call.IsUnexpectedState)
        {
            throw call.Refused("cancel");
        }

        var intent = await ReadAsync(paymentId, cancellationToken);
        return StripeStatus.Void(intent) ?? throw StripeStatus.Unsettled("cancel", intent);
    }

    public async Task<ProviderRefund> RefundAsync(RefundCall call, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var options = new RefundCreateOptions
        {
            PaymentIntent = call.PaymentId,
            Amount = call.AmountMinor,
            Metadata = new Dictionary<string, string>
            {
                [TenantMetadataKey] = call.TenantId,
                [OrderMetadataKey] = call.OrderId,
                [RefundMetadataKey] = call.RefundId,
            },
        };
        var sent = await StripeCall.SendAsync(() => _refunds.CreateAsync(options, Keyed(idempotencyKey), cancellationToken), cancellationToken);
        if (sent.Value is { } refund)
        {
            return StripeStatus.Refund(refund);
        }

        // What is left of the charge cannot take this refund (refunded in full, or partly outside this app): an outcome.
        return sent.Code is "charge_already_refunded" || sent.Param == "amount"
            ? new ProviderRefund(RefundStatus.Failed, null, sent.Code ?? "amount_over_refundable")
            : throw sent.Refused("refund");
    }

    // A read changes nothing, so it carries no idempotency key (Stripe ignores keys on GET).
    private async Task<PaymentIntent> ReadAsync(string paymentId, CancellationToken cancellationToken)
    {
        var call = await StripeCall.SendAsync(() => _intents.GetAsync(paymentId, options: null, requestOptions: null, cancellationToken), cancellationToken);
        return call.Intent ?? throw call.Refused("read");
    }

    private static RequestOptions Keyed(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        return new RequestOptions { IdempotencyKey = idempotencyKey };
    }
}
