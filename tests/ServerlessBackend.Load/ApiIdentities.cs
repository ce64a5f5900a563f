using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace ServerlessBackend.Load;

/// <summary>The callers the contract suite and the load script act as: an admin and two customers of one tenant, an admin of another.</summary>
public enum Identity
{
    Admin,
    Customer,
    OtherCustomer,
    OtherTenantAdmin,
}

/// <summary>
/// Bearer tokens from the documented environment, per identity, first match wins:
/// <c>API_TOKEN_{ID}</c> (a pre-issued token); <c>API_CLIENT_ID_{ID}</c> + <c>API_CLIENT_SECRET_{ID}</c> with
/// <c>API_TOKEN_ENDPOINT_{ID}</c> or else <c>API_TOKEN_ENDPOINT</c>, and <c>API_TOKEN_SCOPE</c> (OAuth 2.0 client credentials,
/// e.g. Microsoft Entra ID: https://login.microsoftonline.com/{directory}/oauth2/v2.0/token and api://{API client id}/.default;
/// the token's tenant is the endpoint's directory, so another tenant's admin needs its own endpoint; an app-only token is
/// never a customer, so the customers need pre-issued user tokens);
/// <c>API_TOKENS=development</c> (minted with the app's published development key by functions/dev-token.sh, for an app
/// running with Auth__UseDevelopmentKey; issuer and audience from <c>Auth__Authority</c>/<c>Auth__Audiences</c> when set,
/// else from local.settings.json), each run in two fresh tenants. {ID} is ADMIN, CUSTOMER, OTHER_CUSTOMER or OTHER_TENANT_ADMIN.
/// </summary>
public sealed class ApiIdentities(Func<string, string?> environment)
{
    public const string Development = "development";

    private readonly Dictionary<Identity, Lazy<Task<string>>> _tokens = [];
    private readonly string _run = Guid.NewGuid().ToString("N")[..10];

    public static string VariableSuffix(Identity identity) => identity switch
    {
        Identity.Admin => "ADMIN",
        Identity.Customer => "CUSTOMER",
        Identity.OtherCustomer => "OTHER_CUSTOMER",
        Identity.OtherTenantAdmin => "OTHER_TENANT_ADMIN",
        _ => throw new ArgumentOutOfRangeException(nameof(identity)),
    };

    public bool Mints => string.Equals(environment("API_TOKENS"), Development, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a token for <paramref name="identity"/> can be had from the environment.</summary>
    public bool Has(Identity identity) =>
        Set($"API_TOKEN_{VariableSuffix(identity)}") || HasClientCredentials(identity) || Mints;

    public bool HasAll(IEnumerable<Identity> identities) => identities.All(Has);

    public Task<string> TokenAsync(Identity identity, CancellationToken cancellationToken = default)
    {
        Lazy<Task<string>> token;
        lock (_tokens)
        {
            if (!_tokens.TryGetValue(identity, out token!))
            {
                token = new Lazy<Task<string>>(() => AcquireAsync(identity, cancellationToken));
                _tokens[identity] = token;
            }
        }

        return token.Value;
    }

    private async Task<string> AcquireAsync(Identity identity, CancellationToken cancellationToken)
    {
        var suffix = VariableSuffix(identity);
        if (environment($"API_TOKEN_{suffix}") is { Length: > 0 } issued)
        {
            return issued;
        }

        if (HasClientCredentials(identity))
        {
            return await ClientCredentialsAsync(TokenEndpoint(identity)!, environment($"API_CLIENT_ID_{suffix}")!, environment($"API_CLIENT_SECRET_{suffix}")!, cancellationToken);
        }

        if (Mints)
        {
            return await MintAsync(identity, cancellationToken);
        }

        throw new InvalidOperationException($"No token for {identity}: set API_TOKEN_{suffix}, API_CLIENT_ID_{suffix} and API_CLIENT_SECRET_{suffix}, or API_TOKENS=development.");
    }

    private bool Set(string name) => environment(name) is { Length: > 0 };

    private bool HasClientCredentials(Identity identity) =>
        TokenEndpoint(identity) is not null && Set($"API_CLIENT_ID_{VariableSuffix(identity)}") && Set($"API_CLIENT_SECRET_{VariableSuffix(identity)}");

    private string? TokenEndpoint(Identity identity) =>
        environment($"API_TOKEN_ENDPOINT_{VariableSuffix(identity)}") is { Length: > 0 } own ? own
        : environment("API_TOKEN_ENDPOINT") is { Length: > 0 } shared ? shared : null;

    private async Task<string> ClientCredentialsAsync(string endpoint, string clientId, string secret, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = environment("API_TOKEN_SCOPE") ?? "",
        });
        using var response = await http.PostAsync(new Uri(endpoint), form, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // The endpoint's error (Entra: error, error_description with its AADSTS code) says what to fix.
            throw new InvalidOperationException($"The token endpoint refused client {clientId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken);
        return token?.AccessToken is { Length: > 0 } value ? value : throw new InvalidOperationException("The token endpoint answered without an access_token.");
    }

    private async Task<string> MintAsync(Identity identity, CancellationToken cancellationToken)
    {
        var (tenant, user, admin) = identity switch
        {
            Identity.Admin => ($"contract-{_run}-a", "admin-1", true),
            Identity.Customer => ($"contract-{_run}-a", "alice", false),
            Identity.OtherCustomer => ($"contract-{_run}-a", "bob", false),
            _ => ($"contract-{_run}-b", "admin-2", true),
        };
        var script = Path.Combine(RepositoryRoot(), "functions", "dev-token.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, tenant, user, admin ? "admin" : "" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "Auth__Authority", "Auth__Audiences" })
        {
            if (environment(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"functions/dev-token.sh failed: {errors}");
    }

    /// <summary>The clone this tool runs from (where ServerlessBackend.sln is).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerlessBackend.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("API_TOKENS=development mints with functions/dev-token.sh: run from a clone of the repository.");
    }

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string? AccessToken);
}
