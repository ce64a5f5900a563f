using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;
using ServerlessBackend.Functions.Platform.Auth;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// A test identity provider: an RSA signing key published through OpenID Connect metadata (served from
/// memory to the app's real <see cref="OpenIdSigningConfiguration"/>), and tokens minted with it.
/// </summary>
public sealed class TestTokens : IDocumentRetriever
{
    public const string Authority = "https://login.example.test/directory/v2.0";
    public const string Issuer = Authority;
    public const string Audience = "api://serverless-backend-tests";

    private static readonly RsaSecurityKey SigningKey = NewKey("test-key-1");
    private static readonly RsaSecurityKey UnpublishedKey = NewKey("test-key-1");

    public static AuthOptions Options => new() { Authority = Authority, Audiences = Audience };

    public int MetadataRequests { get; private set; }

    public OpenIdSigningConfiguration SigningConfiguration() => new(Authority, this);

    public static string Mint(
        string tenantId, string userId, bool admin = false, string? email = "customer@example.test",
        DateTime? expires = null, string audience = Audience, string issuer = Issuer, bool signWithUnpublishedKey = false, bool withTenant = true,
        DateTime? issuedAt = null)
    {
        // A user token: Entra puts scp in every user token (without it the app takes the token for an application's).
        var claims = new List<Claim> { new("sub", userId), new("scp", "access_as_user") };
        if (withTenant)
        {
            claims.Add(new Claim("tid", tenantId));
        }

        if (email is not null)
        {
            claims.Add(new Claim("email", email));
        }

        if (admin)
        {
            claims.Add(new Claim("roles", AuthOptions.AdminRole));
        }

        var expiry = expires ?? DateTime.UtcNow.AddMinutes(30);
        var issued = issuedAt ?? expiry.AddHours(-1);
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issued,

            // Never later than now, so a token issued in the future is refused for its iat alone.
            NotBefore = issued < DateTime.UtcNow ? issued : DateTime.UtcNow.AddMinutes(-1),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(signWithUnpublishedKey ? UnpublishedKey : SigningKey, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>A valid token with exactly these payload claims (values may be strings, numbers or arrays), besides issuer, audience, lifetime and a user's scp.</summary>
    public static string MintClaims(IDictionary<string, object> claims)
    {
        claims = new Dictionary<string, object>(claims) { ["scp"] = "access_as_user" };
        var expiry = DateTime.UtcNow.AddMinutes(30);
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = expiry.AddHours(-1),
            NotBefore = expiry.AddHours(-1),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>A token signed with the published key over exactly this payload JSON (e.g. with a claim given twice).</summary>
    public static string MintPayload(string payloadJson) =>
        new JsonWebTokenHandler().CreateToken(payloadJson, new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256));

    public Task<string> GetDocumentAsync(string address, CancellationToken cancel)
    {
        MetadataRequests++;
        if (address.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
        {
            return Task.FromResult(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = Authority + "/discovery/keys",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            }));
        }

        var parameters = SigningKey.Rsa.ExportParameters(false);
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = SigningKey.KeyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        };
        return Task.FromResult(JsonSerializer.Serialize(new { keys = new[] { jwk } }));
    }

    private static RsaSecurityKey NewKey(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };
}
