using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerlessBackend.Functions.Platform.Hosting;

public static class CredentialServiceCollectionExtensions
{
    /// <summary>
    /// The app's one <see cref="TokenCredential"/> (the managed identity in Azure, via AZURE_CLIENT_ID).
    /// TryAdd: every area that needs it calls this, so each composes alone and all share one instance.
    /// </summary>
    public static IServiceCollection AddAppCredential(this IServiceCollection services)
    {
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        return services;
    }
}
