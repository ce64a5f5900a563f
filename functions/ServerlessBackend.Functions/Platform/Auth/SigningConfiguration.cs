using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Platform.Auth;

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
/// Issuers and keys from the authority's OpenID Connect metadata, cached by the IdentityModel configuration manager. For an
/// Entra v2.0 authority (<c>.../v2.0</c>) the v1.0 metadata of the same authority (<see cref="EntraAuthority.V1Of"/>) is read
/// too: its issuer (<c>https://sts.windows.net/{tenantid}/</c>) is how v1.0 access tokens are accepted. HTTPS is required,
/// except for an authority on a loopback address (a local issuer on the same machine, as in the tests).
/// </summary>
/// <remarks>
/// A token signed with a key the cached metadata lacks (a key rollover) makes <see cref="RequestRefresh"/> fetch the
/// metadata again before that token is checked once more: the configuration manager's own refresh runs in the
/// background and would still answer with the old keys. At most once per <see cref="MinimumRefreshInterval"/>, so tokens
/// with made-up key ids cannot make the app download the metadata for each of them; a failed download keeps the old keys.
/// </remarks>
public sealed class OpenIdSigningConfiguration : ISigningConfiguration
{
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromMinutes(5);

    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512];

    private readonly string[] _addresses;
    private readonly IDocumentRetriever _retriever;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private ConfigurationManager<OpenIdConnectConfiguration>[] _managers;
    private ConfigurationManager<OpenIdConnectConfiguration>[]? _refreshing;
    private DateTimeOffset _lastRefresh = DateTimeOffset.MinValue;
    private (OpenIdConnectConfiguration Primary, OpenIdConnectConfiguration? V1, SigningInfo Info)? _last;

    public OpenIdSigningConfiguration(string authority, IDocumentRetriever? retriever = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(authority);
        _retriever = retriever ?? new HttpDocumentRetriever { RequireHttps = !IsLoopback(authority) };
        _clock = clock ?? TimeProvider.System;
        _addresses = [.. new[] { authority, EntraAuthority.V1Of(authority) }.OfType<string>().Select(a => a.TrimEnd('/') + "/.well-known/openid-configuration")];
        _managers = NewManagers();
    }

    public async Task<SigningInfo> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _refreshing) is { } fresh)
        {
            try
            {
                var info = await GetAsync(fresh, cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    _managers = fresh;
                    _refreshing = null;
                }

                return info;
            }
            catch (DependencyUnavailableException)
            {
                // The issuer does not answer now: keep the keys there are.
                Interlocked.CompareExchange(ref _refreshing, null, fresh);
            }
        }

        return await GetAsync(Volatile.Read(ref _managers), cancellationToken).ConfigureAwait(false);
    }

    public void RequestRefresh()
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            if (now - _lastRefresh >= MinimumRefreshInterval)
            {
                _lastRefresh = now;
                _refreshing = NewManagers();
            }
        }
    }

    private async Task<SigningInfo> GetAsync(ConfigurationManager<OpenIdConnectConfiguration>[] managers, CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration primary;
        OpenIdConnectConfiguration? v1 = null;
        try
        {
            primary = await managers[0].GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            if (managers.Length > 1)
            {
                v1 = await managers[1].GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
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

        // Entra signs v1.0 and v2.0 tokens with the same keys; the v2.0 set comes first (its keys name their issuer).
        var kids = primary.SigningKeys.Select(k => k.KeyId).ToHashSet(StringComparer.Ordinal);
        var keys = primary.SigningKeys.Concat((v1?.SigningKeys ?? []).Where(k => !kids.Contains(k.KeyId))).ToList();
        var issuers = new[] { primary.Issuer, v1?.Issuer }.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var info = new SigningInfo(issuers, keys, Algorithms, new StaticConfigurationManager<OpenIdConnectConfiguration>(primary));
        _last = (primary, v1, info);
        return info;
    }

    private ConfigurationManager<OpenIdConnectConfiguration>[] NewManagers() =>
        [.. _addresses.Select(address => new ConfigurationManager<OpenIdConnectConfiguration>(address, new OpenIdConnectConfigurationRetriever(), _retriever))];

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
