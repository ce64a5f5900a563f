using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Platform.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>JWT bearer authentication for the HTTP API; the tenant allow-list (<see cref="ITenantDirectory"/>) comes from Shared/Tenancy.</summary>
    public static IServiceCollection AddApiAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        Validate(options, environment);
        services.AddSingleton(Options.Create(options));
        services.AddSingleton<ISigningConfiguration>(options.UseDevelopmentKey
            ? new DevelopmentSigningConfiguration(options.Authority)
            : new OpenIdSigningConfiguration(options.Authority));
        services.AddSingleton<BearerAuthenticator>();
        services.AddSingleton<CallerAdmission>();
        return services;
    }

    /// <summary>Refuses to start with missing settings, or with the development key outside Development.</summary>
    public static void Validate(AuthOptions options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        if (string.IsNullOrWhiteSpace(options.Authority) || options.AudienceList().Count == 0)
        {
            throw new InvalidOperationException($"App settings {AppSettings.AuthAuthority} and {AppSettings.AuthAudiences} are required.");
        }

        if (options.UseDevelopmentKey && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{AppSettings.AuthUseDevelopmentKey} is set but the environment is '{environment.EnvironmentName}': the development signing key is public and only accepted in Development.");
        }
    }
}
