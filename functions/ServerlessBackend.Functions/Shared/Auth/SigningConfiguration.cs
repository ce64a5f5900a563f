using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using ServerlessBackend.Functions.Shared.Hosting;

namespace ServerlessBackend.Functions.Shared.Auth;

/// <summary>Who issues tokens and with which keys.</summary>
public interface ISigningConfiguration
{
    Task<SigningInfo> GetAsync(CancellationToken cancellationToken);

    /// <summary>Asks for fresh keys on the next call (a token signed with an unknown key may mean a key rollover).</summary>
    void RequestRefresh();
}

public sealed record SigningInfo(string Issuer, IReadOnlyCollection<SecurityKey> Keys, IReadOnlyCollection<string> Algorithms);

/// <summary>Issuer and keys from the authority's OpenID Connect metadata, cached and refreshed by the IdentityModel configuration manager.</summary>
public sealed class OpenIdSigningConfiguration(string authority, IDocumentRetriever? retriever = null) : ISigningConfiguration
{
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _manager = new(
        authority.TrimEnd('/') + "/.well-known/openid-configuration",
        new OpenIdConnectConfigurationRetriever(),
        retriever ?? new HttpDocumentRetriever { RequireHttps = true });

    public async Task<SigningInfo> GetAsync(CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e) when (Unreachable(e))
        {
            // No metadata cached yet and the issuer does not answer: no token can be checked, which is not the caller's fault.
            throw new DependencyUnavailableException("the token issuer", "metadata unreachable", inner: e);
        }

        return new SigningInfo(configuration.Issuer, [.. configuration.SigningKeys], [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512]);
    }

    public void RequestRefresh() => _manager.RequestRefresh();

    // IdentityModel wraps the failed download (IOException, HttpRequestException) in an InvalidOperationException.
    private static bool Unreachable(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is IOException or HttpRequestException)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Local development: tokens from functions/dev-token.sh, signed with <see cref="DevelopmentSigningKey"/>.</summary>
public sealed class DevelopmentSigningConfiguration(string issuer) : ISigningConfiguration
{
    private readonly SigningInfo _info = new(issuer, [DevelopmentSigningKey.Key], [SecurityAlgorithms.HmacSha256]);

    public Task<SigningInfo> GetAsync(CancellationToken cancellationToken) => Task.FromResult(_info);

    public void RequestRefresh()
    {
        // The key is fixed.
    }
}
