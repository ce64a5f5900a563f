using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ServerlessBackend.Functions.Features.Payments;

public static class PaymentServiceCollectionExtensions
{
    public const string StripeProviderName = "stripe";

    /// <summary>
    /// The payment handler and the provider named by <c>Payments__Provider</c>. Unset means the local provider in
    /// Development only: a deployment that forgot the setting fails at startup instead of confirming unpaid orders.
    /// </summary>
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var options = configuration.GetSection(PaymentOptions.Section).Get<PaymentOptions>() ?? new PaymentOptions();
        var provider = options.Provider ?? (environment.IsDevelopment() ? LocalPaymentProvider.ProviderName : null);
        switch (provider?.ToLowerInvariant())
        {
            case LocalPaymentProvider.ProviderName:
                services.AddSingleton<IPaymentProvider, LocalPaymentProvider>();
                break;

            // The seam for the Stripe provider (Features/Payments/Stripe): it registers itself here.
            case StripeProviderName:
                throw new InvalidOperationException("Payments__Provider is 'stripe', but this build has no Stripe provider.");

            default:
                throw new InvalidOperationException(
                    $"Payments__Provider is '{provider ?? "(unset)"}': set it to '{LocalPaymentProvider.ProviderName}' or '{StripeProviderName}'.");
        }

        services.AddSingleton<PaymentHandler>();
        return services;
    }
}
