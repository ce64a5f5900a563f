using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Payments.Stripe;

public static class StripeServiceCollectionExtensions
{
    /// <summary>
    /// The Stripe settings and the webhook handler, in every deployment (the route exists everywhere; without a signing
    /// secret it answers 404). With <paramref name="asProvider"/>, also the provider, its settings checked at startup.
    /// </summary>
    public static IServiceCollection AddStripe(this IServiceCollection services, IConfiguration configuration, bool asProvider)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<StripeOptions>().Bind(configuration.GetSection(StripeOptions.Section));
        if (asProvider)
        {
            options
                .Validate(o => o.IsValid(), "Payments__Stripe__SecretKey and Payments__Stripe__WebhookSecret must be set (Payments__Stripe__ApiBase, if set, https or a loopback address).")
                .ValidateOnStart();
            services.AddSingleton<IPaymentProvider, StripePaymentProvider>();
        }

        services.AddSingleton<StripeWebhookHandler>();
        return services;
    }
}
