using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

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
        var configuration = await _manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        return new SigningInfo(configuration.Issuer, [.. configuration.SigningKeys], [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512]);
    }

    public void RequestRefresh() => _manager.RequestRefresh();
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
