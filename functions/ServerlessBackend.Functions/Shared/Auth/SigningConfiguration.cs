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

/// <summary>
/// The accepted issuers (Entra's multi-tenant metadata names a template, <c>https://login.microsoftonline.com/{tenantid}/v2.0</c>),
/// the signing keys and algorithms. <paramref name="Metadata"/> is set for OpenID Connect metadata: the issuer is then
/// checked per token with Entra's rules (<c>AadIssuerValidator</c>) and each key's own <c>issuer</c> against the token's.
/// </summary>
public sealed record SigningInfo(
    IReadOnlyList<string> Issuers, IReadOnlyCollection<SecurityKey> Keys, IReadOnlyCollection<string> Algorithms, BaseConfigurationManager? Metadata = null);

/// <summary>
/// Issuers and keys from the authority's OpenID Connect metadata, cached and refreshed by the IdentityModel configuration
/// manager. For an Entra v2.0 authority (<c>.../v2.0</c>) the v1.0 metadata of the same authority (<see cref="EntraAuthority.V1Of"/>)
/// is read too: its issuer (<c>https://sts.windows.net/{tenantid}/</c>) is how v1.0 access tokens are accepted. HTTPS is
/// required, except for an authority on a loopback address (a local issuer on the same machine, as in the tests).
/// </summary>
public sealed class OpenIdSigningConfiguration : ISigningConfiguration
{
    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512];

    private readonly ConfigurationManager<OpenIdConnectConfiguration>[] _managers;
    private (OpenIdConnectConfiguration Primary, OpenIdConnectConfiguration? V1, SigningInfo Info)? _last;

    public OpenIdSigningConfiguration(string authority, IDocumentRetriever? retriever = null)
    {
        ArgumentNullException.ThrowIfNull(authority);
        retriever ??= new HttpDocumentRetriever { RequireHttps = !IsLoopback(authority) };
        _managers = [.. new[] { authority, EntraAuthority.V1Of(authority) }
            .OfType<string>()
            .Select(address => new ConfigurationManager<OpenIdConnectConfiguration>(
                address.TrimEnd('/') + "/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), retriever))];
    }

    public async Task<SigningInfo> GetAsync(CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration primary;
        OpenIdConnectConfiguration? v1 = null;
        try
        {
            primary = await _managers[0].GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            if (_managers.Length > 1)
            {
                v1 = await _managers[1].GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException e) when (Unreachable(e))
        {
            // No metadata cached yet and the issuer does not answer: no token can be checked, which is not the caller's fault.
            throw new DependencyUnavailableException("the token issuer", "metadata unreachable", inner: e);
        }

        // The managers hand out the same instances until they refresh: build the answer once per version of the metadata.
        if (_last is { } last && ReferenceEquals(last.Primary, primary) && ReferenceEquals(last.V1, v1))
        {
            return last.Info;
        }

        var keys = primary.SigningKeys.Concat(v1?.SigningKeys ?? []).DistinctBy(k => k.KeyId ?? k.GetHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var issuers = new[] { primary.Issuer, v1?.Issuer }.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var info = new SigningInfo(issuers, keys, Algorithms, new StaticConfigurationManager<OpenIdConnectConfiguration>(primary));
        _last = (primary, v1, info);
        return info;
    }

    public void RequestRefresh()
    {
        foreach (var manager in _managers)
        {
            manager.RequestRefresh();
        }
    }

    private static bool IsLoopback(string authority) => Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.IsLoopback;

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
    private readonly SigningInfo _info = new([issuer], [DevelopmentSigningKey.Key], [SecurityAlgorithms.HmacSha256]);

    public Task<SigningInfo> GetAsync(CancellationToken cancellationToken) => Task.FromResult(_info);

    public void RequestRefresh()
    {
        // The key is fixed.
    }
}
