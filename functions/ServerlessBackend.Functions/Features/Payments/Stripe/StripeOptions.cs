namespace ServerlessBackend.Functions.Features.Payments.Stripe;

/// <summary>
/// The Stripe account, bound from the <c>Payments:Stripe</c> section (<c>Payments__Stripe__SecretKey</c>, ... in app
/// settings). In Azure both secrets are Key Vault references, never literals.
/// </summary>
public sealed class StripeOptions
{
    public const string Section = "Payments:Stripe";

    /// <summary>The secret API key (sk_test_... in test mode, or a restricted key with PaymentIntents write).</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>The signing secret of the webhook endpoint (whsec_...), which signs every event Stripe sends it.</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Stripe's API; set only to point the provider at a local stand-in. Plain http only on a loopback address.</summary>
    public Uri ApiBase { get; set; } = new("https://api.stripe.com");

    /// <summary>Retries the SDK makes itself (same idempotency key) on a network failure, 409 or 5xx, before the message is retried.</summary>
    public int MaxNetworkRetries { get; set; } = 2;

    /// <summary>Whether the settings can be used: both secrets set, and the API reached over TLS unless it is on this machine.</summary>
    public bool IsValid() =>
        IsSet(SecretKey)
        && IsSet(WebhookSecret)
        && ApiBase.IsAbsoluteUri
        && (ApiBase.Scheme == Uri.UriSchemeHttps || (ApiBase.Scheme == Uri.UriSchemeHttp && ApiBase.IsLoopback))
        && MaxNetworkRetries is >= 0 and <= 5;

    /// <summary>
    /// A secret with a value. A Key Vault reference the platform could not resolve (secret not set yet, no access) reaches
    /// the app as the reference text itself, which anyone can read in infra/: it is no secret, so it counts as unset.
    /// </summary>
    public static bool IsSet(string? secret) =>
        !string.IsNullOrWhiteSpace(secret) && !secret.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);
}
