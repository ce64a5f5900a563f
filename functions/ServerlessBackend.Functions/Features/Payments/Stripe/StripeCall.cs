using System.Net;
using ServerlessBackend.Functions.Platform.Hosting;
using global::Stripe;

namespace ServerlessBackend.Functions.Features.Payments.Stripe;

/// <summary>
/// One Stripe API call: the object it returned (a PaymentIntent, a Refund), or Stripe's refusal (a 4xx that retrying cannot change).
/// Throttling, 409 (a request with the same idempotency key in flight), 5xx, timeouts and network failures throw
/// <see cref="DependencyUnavailableException"/>, so the message is retried with the same key.
/// </summary>
internal static class StripeCall
{
    private const string Dependency = "Stripe";

    public static Task<StripeCall<PaymentIntent>> SendAsync(Func<Task<PaymentIntent>> call, CancellationToken cancellationToken) =>
        SendAsync<PaymentIntent>(call, cancellationToken);

    public static async Task<StripeCall<T>> SendAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return new StripeCall<T>(await call().ConfigureAwait(false), null);
        }
        catch (StripeException e) when (IsTransient(e.HttpStatusCode))
        {
            throw new DependencyUnavailableException(Dependency, $"HTTP {(int)e.HttpStatusCode}");
        }
        catch (StripeException e)
        {
            return new StripeCall<T>(null, e);
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

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict or HttpStatusCode.RequestTimeout || (int)status >= 500;
}

/// <summary>What one call came to: <see cref="Value"/>, or the refusal read through the properties below.</summary>
internal sealed class StripeCall<T>
    where T : class
{
    internal StripeCall(T? value, StripeException? refusal)
    {
        Value = value;
        Refusal = refusal;
    }

    public T? Value { get; }

    /// <summary>The PaymentIntent a PaymentIntents call returned.</summary>
    public T? Intent => Value;

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

    /// <summary>The request parameter Stripe refused, if it names one.</summary>
    public string? Param => Refusal?.StripeError?.Param;

    /// <summary>The issuer's decline code, else Stripe's error code: codes, never the message (which may echo card details).</summary>
    public string DeclineCode => Refusal?.StripeError?.DeclineCode ?? Code ?? "card_declined";

    /// <summary>A refusal this code does not expect (bad key, unknown intent, invalid parameter): retried, then dead-lettered.</summary>
    public InvalidOperationException Refused(string operation)
    {
        var error = Refusal?.StripeError;
        return new InvalidOperationException(
            $"Stripe refused {operation}: HTTP {(int?)Refusal?.HttpStatusCode}, {error?.Type ?? "no type"}/{error?.Code ?? "no code"}, request {Refusal?.StripeResponse?.RequestId ?? "unknown"}.");
    }
}
