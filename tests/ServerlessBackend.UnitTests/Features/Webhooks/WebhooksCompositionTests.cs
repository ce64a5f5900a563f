using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBackend.Functions.Features.Privacy;
using ServerlessBackend.Functions.Features.Webhooks;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Features.Webhooks;

/// <summary>The webhook and personal data functions resolve from the app's composition root; loopback endpoints only in Development.</summary>
public sealed class WebhooksCompositionTests
{
    [Fact]
    public async Task The_webhook_and_personal_data_functions_resolve_and_loopback_is_refused_by_default()
    {
        await using var provider = AppComposition.Compose("Production", AppComposition.AzureSettings());

        Assert.NotNull(ActivatorUtilities.CreateInstance<WebhooksFunctions>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<WebhookDeliveryFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<PersonalDataFunctions>(provider));
        Assert.NotNull(provider.GetRequiredService<SsrfGuard>().RefusalOf(IPAddress.Loopback));
    }

    [Fact]
    public async Task Allowing_loopback_works_in_Development_and_stops_the_app_anywhere_else()
    {
        var settings = AppComposition.AzureSettings(new Dictionary<string, string?> { [AppSettings.WebhooksAllowLoopback] = "true" });
        await using var development = AppComposition.Compose("Development", settings);

        var startup = Assert.Throws<InvalidOperationException>(() => AppComposition.Compose("Production", settings));

        Assert.Null(development.GetRequiredService<SsrfGuard>().RefusalOf(IPAddress.Loopback));
        Assert.Contains(AppSettings.WebhooksAllowLoopback, startup.Message, StringComparison.Ordinal);
    }
}
