using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Features.Webhooks;

public static class WebhooksServiceCollectionExtensions
{
    /// <summary>The endpoint store, the SSRF guard over DNS, the sender and the handlers of the admin routes and the webhooks subscription.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var allowLoopback = configuration.GetValue<bool>(AppSettings.ConfigurationKey(AppSettings.WebhooksAllowLoopback));
        if (allowLoopback && !environment.IsDevelopment())
        {
            throw new InvalidOperationException($"{AppSettings.WebhooksAllowLoopback} is set outside Development: webhooks go to public addresses only.");
        }

        services.AddSingleton(new SsrfGuard(allowLoopback));
        services.AddSingleton<IHostResolver, DnsHostResolver>();
        services.AddSingleton<WebhookTargets>();
        services.AddSingleton<IWebhookSender, HttpWebhookSender>();
        services.AddSingleton<IWebhookStore, CosmosWebhookStore>();
        services.AddSingleton<WebhooksHandler>();
        services.AddSingleton<FanOutWebhooksHandler>();
        services.AddSingleton<DeliverWebhookHandler>();
        return services;
    }
}
