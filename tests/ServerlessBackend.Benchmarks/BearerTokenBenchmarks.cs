using System.Security.Claims;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ServerlessBackend.Functions.Platform.Auth;

namespace ServerlessBackend.Benchmarks;

/// <summary>
/// Every authenticated request: the app's <see cref="BearerAuthenticator"/> validating an RS256 token
/// (signature, issuer, audience, lifetime) and mapping its claims, with the issuer's key already cached
/// (no network: the signing configuration is a local RSA key instead of OpenID Connect metadata).
/// </summary>
[MemoryDiagnoser]
public class BearerTokenBenchmarks : IDisposable
{
    private const string Issuer = "https://login.example.test/directory/v2.0";
    private const string Audience = "api://serverless-backend-benchmarks";

    private readonly RSA _rsa = RSA.Create(2048);
    private BearerAuthenticator _authenticator = null!;
    private HttpRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var key = new RsaSecurityKey(_rsa) { KeyId = "bench-key" };
        var options = new AuthOptions { Authority = Issuer, Audiences = Audience };
        _authenticator = new BearerAuthenticator(new LocalSigningConfiguration(new SigningInfo([Issuer], [key], [SecurityAlgorithms.RsaSha256])), Options.Create(options));

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("tid", SampleOrders.TenantId), new Claim("sub", SampleOrders.CustomerId), new Claim("email", SampleOrders.ContactEmail), new Claim("scp", "access_as_user")]),
            Issuer = Issuer,
            Audience = Audience,
            Expires = DateTime.UtcNow.AddHours(12),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer " + token;
        _request = context.Request;
    }

    [Benchmark]
    public async Task<TokenIdentity> Authenticate()
    {
        var outcome = await _authenticator.AuthenticateAsync(_request, CancellationToken.None).ConfigureAwait(false);
        return outcome.Value ?? throw new InvalidOperationException($"The sample token was refused: {outcome.Error?.Detail}");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _rsa.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class LocalSigningConfiguration(SigningInfo info) : ISigningConfiguration
    {
        public Task<SigningInfo> GetAsync(CancellationToken cancellationToken) => Task.FromResult(info);

        public void RequestRefresh()
        {
            // The key is fixed.
        }
    }
}
