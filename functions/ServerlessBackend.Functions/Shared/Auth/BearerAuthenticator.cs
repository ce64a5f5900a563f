using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Shared.Auth;

/// <summary>Validates the bearer token (signature, issuer, audience, lifetime) and maps its claims to a <see cref="Caller"/>.</summary>
public sealed class BearerAuthenticator(ISigningConfiguration signing, IOptions<AuthOptions> options)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly AuthOptions _options = options.Value;

    public async Task<Outcome<Caller>> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers[HeaderNames.Authorization].ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return new ApiError(ProblemKind.Unauthorized, "A bearer token is required.");
        }

        var token = HeaderValues.TrimOptionalWhiteSpace(header[7..]);
        var result = await ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // Possibly a key rollover at the issuer: fetch the keys again, once.
            signing.RequestRefresh();
            result = await ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        }

        if (!result.IsValid)
        {
            return new ApiError(ProblemKind.Unauthorized, "The bearer token is not valid (signature, issuer, audience or lifetime).");
        }

        return ToCaller(result.ClaimsIdentity);
    }

    private async Task<TokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var info = await signing.GetAsync(cancellationToken).ConfigureAwait(false);
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = info.Issuer,
            ValidAudience = _options.Audience,
            IssuerSigningKeys = info.Keys,
            ValidAlgorithms = info.Algorithms,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromMinutes(1),
        };
        return await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
    }

    private Outcome<Caller> ToCaller(ClaimsIdentity identity)
    {
        var tenant = SingleIdentifier(identity, _options.TenantClaim);
        var user = SingleIdentifier(identity, _options.CustomerClaim);
        if (tenant is null || user is null)
        {
            return new ApiError(ProblemKind.Forbidden, $"The token lacks a usable '{_options.TenantClaim}' or '{_options.CustomerClaim}' claim.");
        }

        var isAdmin = identity.FindAll(_options.RoleClaim).Any(c => string.Equals(c.Value, AuthOptions.AdminRole, StringComparison.Ordinal));
        return Outcome.Ok<Caller>(new Caller(tenant, user, identity.FindFirst(_options.EmailClaim)?.Value, isAdmin));
    }

    /// <summary>
    /// The claim's value when the token carries it exactly once, not blank, at most <see cref="AuthOptions.MaxIdentifierLength"/>
    /// characters and without control characters (it becomes a partition key or a stored owner id); otherwise null.
    /// </summary>
    private static string? SingleIdentifier(ClaimsIdentity identity, string type)
    {
        var values = identity.FindAll(type).Select(c => c.Value).ToList();
        return values is [{ Length: <= AuthOptions.MaxIdentifierLength } value] && !string.IsNullOrWhiteSpace(value) && !value.Any(char.IsControl) ? value : null;
    }
}
