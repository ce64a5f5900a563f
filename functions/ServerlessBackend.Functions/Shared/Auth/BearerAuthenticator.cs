using System.Text.Json;
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

        if (!result.IsValid || !TokenLifetime.IsBounded((JsonWebToken)result.SecurityToken, DateTime.UtcNow))
        {
            return new ApiError(ProblemKind.Unauthorized, "The bearer token is not valid (signature, issuer, audience or lifetime).");
        }

        return ToCaller(result.SecurityToken);
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
            ClockSkew = Domain.ClockSkew.Max,
        };
        return await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
    }

    /// <summary>
    /// The caller from the token's payload as JSON, so each claim is read with its JSON type: the tenant and the
    /// subject must be one JSON string each (a number, boolean, object or array is not taken as its text, so 42 and
    /// "42" never name one tenant), not blank, at most <see cref="AuthOptions.MaxIdentifierLength"/> characters and
    /// <see cref="PrintableText"/> (they become a partition key and a stored owner id). The email counts only when it
    /// is a string (whether it is an address the API accepts is the orders' rule); roles are a string or an array of strings.
    /// </summary>
    private Outcome<Caller> ToCaller(SecurityToken token)
    {
        using var payload = TokenClaims.Parse((JsonWebToken)token);
        var tenant = payload?.Identifier(_options.TenantClaim);
        var user = payload?.Identifier(_options.CustomerClaim);
        if (payload is null || tenant is null || user is null)
        {
            return new ApiError(ProblemKind.Forbidden, $"The token lacks a usable '{_options.TenantClaim}' or '{_options.CustomerClaim}' claim: each must be one JSON string of printable characters.");
        }

        var email = payload.Single(_options.EmailClaim) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
        return Outcome.Ok<Caller>(new Caller(tenant, user, email, payload.HasString(_options.RoleClaim, AuthOptions.AdminRole)));
    }
}
