using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Platform.Auth;

/// <summary>functions/dev-token.sh (what the README tells developers to use) mints tokens the app accepts in Development.</summary>
public sealed class DevelopmentTokenTests
{
    [Fact]
    public async Task A_token_from_dev_token_sh_authenticates_against_the_sample_settings()
    {
        var values = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRoot("local.settings.sample.json"))).RootElement.GetProperty("Values");
        var options = new AuthOptions { Authority = values.GetProperty("Auth__Authority").GetString()!, Audiences = values.GetProperty("Auth__Audiences").GetString()!, UseDevelopmentKey = true };
        var authenticator = new BearerAuthenticator(new DevelopmentSigningConfiguration(options.Authority), Options.Create(options));
        var http = HttpTestContext.Create("GET", "/api/v1/products", headers: new Dictionary<string, string> { ["Authorization"] = $"Bearer {MintWithScript("shop-9", "carol", "admin")}" });

        var outcome = await authenticator.AuthenticateAsync(http.Request, CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.Equal(new TokenIdentity("shop-9", "shop-9", "carol", "carol@example.test", IsAdmin: true, IsOperator: false, IsApplication: false), outcome.Value);
    }

    [Fact]
    public async Task A_development_token_is_refused_when_the_app_expects_its_real_issuer()
    {
        var tokens = new TestTokens();
        var authenticator = new BearerAuthenticator(tokens.SigningConfiguration(), Options.Create(TestTokens.Options));
        var http = HttpTestContext.Create("GET", "/api/v1/products", headers: new Dictionary<string, string> { ["Authorization"] = $"Bearer {MintWithScript("shop-9", "carol", "admin")}" });

        var outcome = await authenticator.AuthenticateAsync(http.Request, CancellationToken.None);

        Assert.NotNull(outcome.Error);
    }

    private static string MintWithScript(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        start.ArgumentList.Add(RepoPaths.InRoot("functions", "dev-token.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var token = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
        return token;
    }
}
