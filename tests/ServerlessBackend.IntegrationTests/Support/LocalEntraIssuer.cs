using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// Microsoft Entra ID's token issuer as far as the API meets it, on 127.0.0.1 (login.microsoftonline.com cannot be reached
/// here). It serves, per tenant path segment (<c>organizations</c>, <c>common</c> or a directory id):
/// - v2.0 metadata <c>/{tenant}/v2.0/.well-known/openid-configuration</c>: for <c>organizations</c>/<c>common</c> the issuer is
///   Entra's template <c>https://login.microsoftonline.com/{tenantid}/v2.0</c>, for a directory that directory's issuer;
/// - v1.0 metadata <c>/{tenant}/.well-known/openid-configuration</c>: issuer <c>https://sts.windows.net/{tenantid}/</c> (or the directory's);
/// - the key sets <c>/{tenant}/discovery/v2.0/keys</c> (each key with <c>kid</c>, <c>x5t</c> and its <c>issuer</c>, as Entra's v2.0
///   keys carry) and <c>/{tenant}/discovery/keys</c> (the same keys without <c>issuer</c>, as v1.0's); rolling a key publishes
///   the new one beside the old, as Entra does;
/// - the token endpoint <c>/{tenant}/oauth2/v2.0/token</c> for client credentials (registered clients, their secret, the
///   directories they are in and their app roles), answering Entra's error codes for a bad secret, scope or directory.
/// Tokens carry the claim sets Entra documents for v1.0 and v2.0 access tokens (user and app-only). The metadata's issuer
/// strings are Entra's own; only the endpoints (<c>jwks_uri</c>, <c>token_endpoint</c>) point here, which is the one thing
/// the app is configured differently for (<c>Auth__Authority</c> = <see cref="Authority"/>; in Azure
/// https://login.microsoftonline.com/organizations/v2.0). Not reproduced: <c>x5c</c> certificate chains, encrypted tokens,
/// consent, Conditional Access, claims challenges, token caching, throttling.
/// </summary>
public sealed class LocalEntraIssuer : IAsyncDisposable
{
    /// <summary>The API's app registration: its client id, and its App ID URI (azd's hook sets api://{client id}).</summary>
    public const string ApiClientId = "6e4a7a43-1f38-4d35-9a39-2d1a2b0e5a11";
    public const string AppIdUri = "api://" + ApiClientId;
    public const string Scope = "access_as_user";

    /// <summary>A client app (the shop's web front end) that users sign in to.</summary>
    public const string FrontEndClientId = "0b7f0f3c-5f6e-4f8b-9f7a-6c1d2e3f4a5b";

    private WebApplication _app = null!;
    private readonly List<RsaSecurityKey> _keys = [];
    private readonly ConcurrentDictionary<string, (RsaSecurityKey Key, string Tenant)> _tenantKeys = new();
    private readonly ConcurrentDictionary<string, Client> _clients = new();
    private int _metadataRequests;

    private LocalEntraIssuer() => RollKeys();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Metadata and key-set downloads so far.</summary>
    public int MetadataRequests => _metadataRequests;

    /// <summary>The version of the access tokens the API's registration asks for (<c>api.requestedAccessTokenVersion</c>): 2, or 1 (Entra's default).</summary>
    public int AccessTokenVersion { get; set; } = 2;

    /// <summary>Whether the registration asks for the <c>idtyp</c> optional claim (app-only tokens then say <c>idtyp: app</c>).</summary>
    public bool IdtypClaim { get; set; }

    public static async Task<LocalEntraIssuer> StartAsync()
    {
        var issuer = new LocalEntraIssuer();
        (issuer._app, var url) = await LoopbackServer.StartAsync(issuer.ServeAsync);
        issuer.BaseUrl = new Uri(url.AbsoluteUri.TrimEnd('/') + "/");
        return issuer;
    }

    public static string NewDirectory() => Guid.NewGuid().ToString();

    /// <summary>The v2.0 authority of <paramref name="tenant"/> here (organizations: any directory).</summary>
    public string Authority(string tenant = "organizations") => $"{BaseUrl}{tenant}/v2.0";

    public string TokenEndpoint(string tenant) => $"{BaseUrl}{tenant}/oauth2/v2.0/token";

    public static string V2Issuer(string tenantId) => $"https://login.microsoftonline.com/{tenantId}/v2.0";

    public static string V1Issuer(string tenantId) => $"https://sts.windows.net/{tenantId}/";

    /// <summary>A new signing key, published beside the old ones and used for every token from now on.</summary>
    public RsaSecurityKey RollKeys()
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(20)) };
        lock (_keys)
        {
            _keys.Add(key);
        }

        return key;
    }

    /// <summary>A key published in the common key set whose <c>issuer</c> names one directory only (as Entra lists app-specific signing keys).</summary>
    public RsaSecurityKey AddDirectoryKey(string tenantId)
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "dir-" + Guid.NewGuid().ToString("N") };
        _tenantKeys[key.KeyId] = (key, tenantId);
        return key;
    }

    /// <summary>A client (confidential app) that can get app-only tokens in the directories it is in, with these app roles.</summary>
    public void RegisterClient(string clientId, string secret, string homeTenant, params string[] roles) =>
        _clients[clientId] = new Client(secret, homeTenant, Guid.NewGuid().ToString(), roles);

    /// <summary>
    /// A delegated (user) access token, as Entra issues it to <see cref="FrontEndClientId"/> for the API; issuerTenant puts
    /// another directory in <c>iss</c> than in <c>tid</c> (a forged or mixed-up token).
    /// </summary>
    public string UserToken(
        string tenantId, string objectId, int version = 2, string[]? roles = null, string? audience = null, string? issuerTenant = null,
        RsaSecurityKey? signingKey = null, string? email = null, DateTimeOffset? expires = null)
    {
        var now = DateTimeOffset.UtcNow;
        var exp = expires ?? now.AddMinutes(75);
        var iss = version == 2 ? V2Issuer(issuerTenant ?? tenantId) : V1Issuer(issuerTenant ?? tenantId);
        var claims = new Dictionary<string, object>
        {
            ["aud"] = audience ?? (version == 2 ? ApiClientId : AppIdUri),
            ["iss"] = iss,
            ["iat"] = exp.AddMinutes(-75).ToUnixTimeSeconds(),
            ["nbf"] = exp.AddMinutes(-75).ToUnixTimeSeconds(),
            ["exp"] = exp.ToUnixTimeSeconds(),
            ["aio"] = Opaque(),
            ["name"] = "Alex Example",
            ["oid"] = objectId,
            ["rh"] = Opaque(),
            ["scp"] = Scope,
            // Pairwise per application, unlike oid.
            ["sub"] = Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ApiClientId + objectId))),
            ["tid"] = tenantId,
            ["uti"] = Opaque(),
            ["ver"] = version == 2 ? "2.0" : "1.0",
        };
        if (version == 2)
        {
            claims["azp"] = FrontEndClientId;
            claims["azpacr"] = "0";
            claims["preferred_username"] = "alex@contoso.example";
        }
        else
        {
            claims["acr"] = "1";
            claims["amr"] = new[] { "pwd" };
            claims["appid"] = FrontEndClientId;
            claims["appidacr"] = "0";
            claims["family_name"] = "Example";
            claims["given_name"] = "Alex";
            claims["ipaddr"] = "203.0.113.7";
            claims["unique_name"] = "alex@contoso.example";
            claims["upn"] = "alex@contoso.example";
        }

        if (roles is { Length: > 0 })
        {
            claims["roles"] = roles;
        }

        if (email is not null)
        {
            // An optional claim the registration asks for (the azd hook adds it).
            claims["email"] = email;
        }

        return Sign(claims, version, signingKey);
    }

    /// <summary>An app-only access token (client credentials) for a client in <paramref name="tenantId"/>.</summary>
    public string AppToken(string tenantId, string clientId, string servicePrincipalId, string[] roles, string? audience = null)
    {
        var version = AccessTokenVersion;
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["aud"] = audience ?? (version == 2 ? ApiClientId : AppIdUri),
            ["iss"] = version == 2 ? V2Issuer(tenantId) : V1Issuer(tenantId),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(60).ToUnixTimeSeconds(),
            ["aio"] = Opaque(),
            ["oid"] = servicePrincipalId,
            ["rh"] = Opaque(),
            ["sub"] = servicePrincipalId,
            ["tid"] = tenantId,
            ["uti"] = Opaque(),
            ["ver"] = version == 2 ? "2.0" : "1.0",
        };
        if (version == 2)
        {
            claims["azp"] = clientId;
            claims["azpacr"] = "1";
        }
        else
        {
            claims["appid"] = clientId;
            claims["appidacr"] = "1";
            claims["idp"] = V1Issuer(tenantId);
        }

        if (roles.Length > 0)
        {
            claims["roles"] = roles;
        }

        if (IdtypClaim)
        {
            claims["idtyp"] = "app";
        }

        return Sign(claims, version, null);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static string Opaque() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));

    private string Sign(Dictionary<string, object> claims, int version, RsaSecurityKey? key)
    {
        key ??= Current;
        // v1.0 tokens also carry the legacy x5t header, equal to kid (the token library only writes x5t for certificates,
        // so the JWS is put together here: RS256 over the two encoded parts).
        var header = new Dictionary<string, object> { ["typ"] = "JWT", ["alg"] = "RS256", ["kid"] = key.KeyId! };
        if (version == 1)
        {
            header["x5t"] = key.KeyId!;
        }

        var signed = $"{Base64UrlEncoder.Encode(JsonSerializer.Serialize(header))}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(claims))}";
        var signature = key.Rsa.SignData(System.Text.Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signed}.{Base64UrlEncoder.Encode(signature)}";
    }

    private RsaSecurityKey Current
    {
        get
        {
            lock (_keys)
            {
                return _keys[^1];
            }
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        var segments = context.Request.Path.Value!.Trim('/').Split('/');
        var tenant = segments[0];
        var rest = string.Join('/', segments.Skip(1));
        var self = BaseUrl.AbsoluteUri.TrimEnd('/');
        var multi = tenant is "organizations" or "common";
        var issuerTenant = multi ? "{tenantid}" : tenant;
        switch (context.Request.Method, rest)
        {
            case ("GET", "v2.0/.well-known/openid-configuration"):
                Interlocked.Increment(ref _metadataRequests);
                await Json(context, 200, new Dictionary<string, object?>
                {
                    ["token_endpoint"] = $"{self}/{tenant}/oauth2/v2.0/token",
                    ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "private_key_jwt", "client_secret_basic" },
                    ["jwks_uri"] = $"{self}/{tenant}/discovery/v2.0/keys",
                    ["response_modes_supported"] = new[] { "query", "fragment", "form_post" },
                    ["subject_types_supported"] = new[] { "pairwise" },
                    ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                    ["response_types_supported"] = new[] { "code", "id_token", "code id_token", "id_token token" },
                    ["scopes_supported"] = new[] { "openid", "profile", "email", "offline_access" },
                    ["issuer"] = V2Issuer(issuerTenant),
                    ["authorization_endpoint"] = $"{self}/{tenant}/oauth2/v2.0/authorize",
                    ["tenant_region_scope"] = null,
                    ["cloud_instance_name"] = "microsoftonline.com",
                });
                break;
            case ("GET", ".well-known/openid-configuration"):
                Interlocked.Increment(ref _metadataRequests);
                await Json(context, 200, new Dictionary<string, object?>
                {
                    ["token_endpoint"] = $"{self}/{tenant}/oauth2/token",
                    ["jwks_uri"] = $"{self}/{tenant}/discovery/keys",
                    ["issuer"] = V1Issuer(issuerTenant),
                    ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                    ["authorization_endpoint"] = $"{self}/{tenant}/oauth2/authorize",
                    ["cloud_instance_name"] = "microsoftonline.com",
                });
                break;
            case ("GET", "discovery/v2.0/keys"):
                Interlocked.Increment(ref _metadataRequests);
                await Json(context, 200, new { keys = Jwks(V2Issuer(issuerTenant), tenant) });
                break;
            case ("GET", "discovery/keys"):
                Interlocked.Increment(ref _metadataRequests);
                await Json(context, 200, new { keys = Jwks(null, tenant) });
                break;
            case ("POST", "oauth2/v2.0/token"):
                await TokenAsync(context, tenant);
                break;
            default:
                await Json(context, 404, new { error = "not_found" });
                break;
        }
    }

    private List<Dictionary<string, object>> Jwks(string? issuer, string tenant)
    {
        List<(RsaSecurityKey Key, string? Issuer)> keys;
        lock (_keys)
        {
            keys = [.. _keys.Select(k => (k, issuer))];
        }

        // Directory-specific keys: in the common key set with their own directory's issuer, and in that directory's set.
        keys.AddRange(_tenantKeys.Values
            .Where(t => tenant is "organizations" or "common" || tenant == t.Tenant)
            .Select(t => (t.Key, issuer is null ? null : V2Issuer(t.Tenant))));
        return [.. keys.Select(k =>
        {
            var parameters = k.Key.Rsa.ExportParameters(false);
            var jwk = new Dictionary<string, object>
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["kid"] = k.Key.KeyId!,
                ["x5t"] = k.Key.KeyId!,
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            };
            if (k.Issuer is not null)
            {
                jwk["issuer"] = k.Issuer;
            }

            return jwk;
        })];
    }

    private async Task TokenAsync(HttpContext context, string tenant)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : null;
        string Field(string name) => form?[name].ToString() ?? "";
        if (Field("grant_type") != "client_credentials")
        {
            await Error(context, 400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.");
            return;
        }

        if (!_clients.TryGetValue(Field("client_id"), out var client) || client.Secret != Field("client_secret"))
        {
            await Error(context, 401, "invalid_client", "AADSTS7000215: Invalid client secret provided.");
            return;
        }

        if (tenant != client.Tenant)
        {
            await Error(context, 400, "unauthorized_client", $"AADSTS700016: Application with identifier '{Field("client_id")}' was not found in the directory '{tenant}'.");
            return;
        }

        var scope = Field("scope");
        string? resource = scope == AppIdUri + "/.default" ? AppIdUri : scope == ApiClientId + "/.default" ? ApiClientId : null;
        if (resource is null)
        {
            await Error(context, 400, "invalid_scope", $"AADSTS1002012: The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.");
            return;
        }

        // v2.0 tokens name the API by client id; v1.0 ones by the resource as requested.
        var token = AppToken(tenant, Field("client_id"), client.ServicePrincipalId, client.Roles, AccessTokenVersion == 2 ? ApiClientId : resource);
        await Json(context, 200, new { token_type = "Bearer", expires_in = 3599, ext_expires_in = 3599, access_token = token });
    }

    private static Task Error(HttpContext context, int status, string error, string description) =>
        Json(context, status, new { error, error_description = description, error_codes = new[] { int.Parse(description["AADSTS".Length..description.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture) }, timestamp = DateTimeOffset.UtcNow.ToString("u", System.Globalization.CultureInfo.InvariantCulture), trace_id = Guid.NewGuid(), correlation_id = Guid.NewGuid() });

    private static async Task Json(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    private sealed record Client(string Secret, string Tenant, string ServicePrincipalId, string[] Roles);
}
