using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Privacy;

public static class PrivacyServiceCollectionExtensions
{
    /// <summary>Personal data export and erasure over the stored documents.</summary>
    public static IServiceCollection AddPrivacy(this IServiceCollection services)
    {
        services.AddSingleton<CosmosPersonalData>();
        services.AddSingleton<PersonalDataHandler>();
        return services;
    }
}
