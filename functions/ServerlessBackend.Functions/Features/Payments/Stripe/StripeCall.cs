using System.Net;
using ServerlessBackend.Functions.Shared.Hosting;
using global::Stripe;

namespace ServerlessBackend.Functions.Features.Payments.Stripe;

/// <summary>
/// One Stripe API call: the PaymentIntent it returned, or Stripe's refusal (a 4xx that retrying cannot change).
/// Throttling, 409 (a request with the same idempotency key in flight), 5xx, timeouts and network failures throw
/// <see cref="DependencyUnavailableException"/>, so the message is retried with the same key.
/// </summary>
internal sealed class StripeCall
{
    private const string Dependency = "Stripe";

    private StripeCall(PaymentIntent? intent, StripeException? refusal)
    {
        Intent = intent;
        Refusal = refusal;
    }

    public PaymentIntent? Intent { get; }

    private StripeException? Refusal { get; }

    /// <summary>A card refused by the issuer or by Stripe (HTTP 402, type card_error).</summary>
    public bool IsCardError => Refusal?.StripeError?.Type == "card_error";

    /// <summary>The intent's status does not allow the call (already captured, cancelled, or confirmed).</summary>
    public bool IsUnexpectedState => Code == "payment_intent_unexpected_state";

    /// <summary>
    /// The customer's payment method id is not one Stripe knows (HTTP 400, resource_missing on param payment_method):
    /// the API takes any id of the right form, so this is the customer's decline, not a failure to retry.
    /// </summary>
    public bool IsUnknownPaymentMethod => Code == "resource_missing" && Refusal?.StripeError?.Param == "payment_method";

    public string? Code => Refusal?.StripeError?.Code;

    /// <summary>The issuer's decline code, else Stripe's error code: codes, never the message (which may echo card details).</summary>
    public string DeclineCode => Refusal?.StripeError?.DeclineCode ?? Code ?? "card_declined";

    public static async Task<StripeCall> SendAsync(Func<Task<PaymentIntent>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return new StripeCall(await call().ConfigureAwait(false), null);
        }
        catch (StripeException e) when (IsTransient(e.HttpStatusCode))
        {
            throw new DependencyUnavailableException(Dependency, $"HTTP {(int)e.HttpStatusCode}");
        }
        catch (StripeException e)
        {
            return new StripeCall(null, e);
        }
        catch (HttpRequestException e)
        {
            throw new DependencyUnavailableException(Dependency, "network failure", inner: e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DependencyUnavailableException(Dependency, "timeout", inner: e);
        }
    }

    /// <summary>A refusal this code does not expect (bad key, unknown intent, invalid parameter): retried, then dead-lettered.</summary>
    public InvalidOperationException Refused(string operation)
    {
        var error = Refusal?.StripeError;
        return new InvalidOperationException(
            $"Stripe refused {operation}: HTTP {(int?)Refusal?.HttpStatusCode}, {error?.Type ?? "no type"}/{error?.Code ?? "no code"}, request {Refusal?.StripeResponse?.RequestId ?? "unknown"}.");
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict or HttpStatusCode.RequestTimeout || (int)status >= 500;
}
