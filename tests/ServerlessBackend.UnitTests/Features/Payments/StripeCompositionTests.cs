using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Features.Payments;
using ServerlessBackend.Functions.Features.Payments.Stripe;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Features.Payments;

/// <summary>The composition root with the Stripe settings as infra sets them: the provider by name, its secrets checked at startup.</summary>
public sealed class StripeCompositionTests
{
    [Fact]
    public async Task Stripe_is_the_provider_by_name_with_its_settings_bound_and_the_webhook_resolves()
    {
        await using var provider = Compose("stripe", "sk_test_123", "whsec_123", apiBase: "http://127.0.0.1:12111");

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<StripePaymentProvider>(provider.GetRequiredService<IPaymentProvider>());
        Assert.NotNull(ActivatorUtilities.CreateInstance<StripeWebhookFunction>(provider));
        var options = provider.GetRequiredService<IOptions<StripeOptions>>().Value;
        Assert.Equal((new Uri("http://127.0.0.1:12111"), "whsec_123"), (options.ApiBase, options.WebhookSecret));
    }

    [Theory]
    [InlineData(null, "whsec_123")]
    [InlineData("sk_test_123", null)]
    [InlineData("@Microsoft.KeyVault(VaultName=kv-abc;SecretName=stripe-secret-key)", "whsec_123")]
    [InlineData("sk_test_123", "@Microsoft.KeyVault(VaultName=kv-abc;SecretName=stripe-webhook-secret)")]
    public async Task With_stripe_chosen_a_missing_or_unresolved_secret_stops_the_app_at_startup(string? secretKey, string? webhookSecret)
    {
        await using var provider = Compose("stripe", secretKey, webhookSecret);

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Payments__Stripe__SecretKey", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_http_to_anything_but_loopback_stops_the_app_at_startup()
    {
        await using var provider = Compose("stripe", "sk_test_123", "whsec_123", apiBase: "http://api.stripe.com");

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public async Task With_the_local_provider_the_webhook_still_resolves_and_nothing_about_stripe_is_required()
    {
        await using var provider = Compose("local", secretKey: null, webhookSecret: "@Microsoft.KeyVault(VaultName=kv-abc;SecretName=stripe-webhook-secret)");

        // What the host runs at startup (none registered: nothing to check).
        provider.GetService<IStartupValidator>()?.Validate();
        Assert.IsType<LocalPaymentProvider>(provider.GetRequiredService<IPaymentProvider>());
        Assert.NotNull(ActivatorUtilities.CreateInstance<StripeWebhookFunction>(provider));
    }

    private static ServiceProvider Compose(string paymentsProvider, string? secretKey, string? webhookSecret, string? apiBase = null) =>
        AppComposition.Compose("Production", AppComposition.AzureSettings(new Dictionary<string, string?>
        {
            [AppSettings.PaymentsProvider] = paymentsProvider,
            [AppSettings.PaymentsStripeSecretKey] = secretKey,
            [AppSettings.PaymentsStripeWebhookSecret] = webhookSecret,
            [AppSettings.PaymentsStripeApiBase] = apiBase,
        }));
}
