using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Hosting;
using ServerlessBackend.Functions.Shared.Tenancy;

namespace ServerlessBackend.Functions.Shared.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>JWT bearer authentication and the tenant allow-list for the HTTP API (the middleware is added in Program.cs).</summary>
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
        services.AddTenantDirectory(onboardAtFirstRequest: options.UseDevelopmentKey);
        services.AddSingleton<CallerAdmission>();
        return services;
    }

    /// <summary>The allow-list of tenants; <paramref name="onboardAtFirstRequest"/> only with the development key (see <see cref="TenantDirectory"/>).</summary>
    public static IServiceCollection AddTenantDirectory(this IServiceCollection services, bool onboardAtFirstRequest)
    {
        services.AddSingleton<ITenantStore, CosmosTenantStore>();
        services.AddSingleton<ITenantDirectory>(sp => new TenantDirectory(
            sp.GetRequiredService<ITenantStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TenantDirectory>>(), sp.GetRequiredService<AuditTrail>(), onboardAtFirstRequest));
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
