using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServerlessBackend.Functions.Features.Payments.Stripe;

namespace ServerlessBackend.Functions.Features.Payments;

public static class PaymentServiceCollectionExtensions
{
    /// <summary>
    /// The handler of each payment use case (<see cref="PaymentFunction"/> maps event types to them; the Stripe webhook
    /// applies provider outcomes) and the provider named by <c>Payments__Provider</c>. Unset means the local provider in
    /// Development only: a deployment that forgot the setting fails at startup instead of confirming unpaid orders.
    /// </summary>
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var options = configuration.GetSection(PaymentOptions.Section).Get<PaymentOptions>() ?? new PaymentOptions();
        var provider = (options.Provider ?? (environment.IsDevelopment() ? LocalPaymentProvider.ProviderName : null))?.ToLowerInvariant();
        switch (provider)
        {
            case LocalPaymentProvider.ProviderName:
                services.AddSingleton<IPaymentProvider, LocalPaymentProvider>();
                break;

            case StripePaymentProvider.ProviderName:
                // AddStripe below registers it.
                break;

            default:
                throw new InvalidOperationException(
                    $"Payments__Provider is '{provider ?? "(unset)"}': set it to '{LocalPaymentProvider.ProviderName}' or '{StripePaymentProvider.ProviderName}'.");
        }

        services.AddStripe(configuration, asProvider: provider == StripePaymentProvider.ProviderName);
        services.AddSingleton<AuthorizePaymentHandler>();
        services.AddSingleton<CapturePaymentHandler>();
        services.AddSingleton<VoidPaymentHandler>();
        services.AddSingleton<ApplyPaymentOutcomeHandler>();
        services.AddSingleton<RefundPaymentHandler>();
        services.AddSingleton<RefundOutcomes>();
        return services;
    }
}
