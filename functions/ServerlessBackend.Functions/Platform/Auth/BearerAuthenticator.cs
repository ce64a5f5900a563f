using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.IdentityModel.Validators;
using Microsoft.Net.Http.Headers;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// Validates the bearer token (signature, issuer, audience, lifetime) and reads what it says (<see cref="TokenIdentity"/>).
/// With OpenID Connect metadata the issuer is checked by Entra's <c>AadIssuerValidator</c>: the token's <c>iss</c> must be
/// an issuer of the metadata with its <c>{tenantid}</c> replaced by the token's own <c>tid</c>, so one multi-tenant
/// authority accepts every directory's v1.0 and v2.0 tokens and a token whose <c>iss</c> names another directory than its
/// <c>tid</c> is refused; and each signing key that names an issuer must name the token's.
/// </summary>
public sealed class BearerAuthenticator(ISigningConfiguration signing, IOptions<AuthOptions> options)
{
    private const string DirectoryClaim = "tid";

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly AuthOptions _options = options.Value;
    private readonly IReadOnlyList<string> _audiences = options.Value.AudienceList();
    private readonly AadIssuerValidator _issuerValidator = AadIssuerValidator.GetAadIssuerValidator(options.Value.Authority);

    public async Task<Outcome<TokenIdentity>> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
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

        return ToIdentity(result.SecurityToken);
    }

    private async Task<TokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var info = await signing.GetAsync(cancellationToken).ConfigureAwait(false);
        var parameters = new TokenValidationParameters
        {
            ValidIssuers = info.Issuers,
            ValidAudiences = _audiences,
            IssuerSigningKeys = info.Keys,
            ValidAlgorithms = info.Algorithms,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = ClockSkew.Max,
        };
        if (info.Metadata is { } metadata)
        {
            // The issuers above are templates: the validator fills in the token's tid (and, for an issuer none of them
            // matches, reads the authority's metadata itself before refusing). The metadata also gives each key's issuer.
            parameters.IssuerValidator = _issuerValidator.Validate;
            parameters.ConfigurationManager = metadata;
            parameters.EnableAadSigningKeyIssuerValidation();
        }

        return await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
    }

    /// <summary>
    /// The token's payload read as JSON, so each claim is read with its JSON type: the tenant and the subject must be one
    /// JSON string each (a number, boolean, object or array is not taken as its text, so 42 and "42" never name one
    /// tenant), not blank, at most <see cref="AuthOptions.MaxIdentifierLength"/> characters and <see cref="PrintableText"/>
    /// (they become a partition key and a stored owner id). The email counts only when it is a string (whether it is an
    /// address the API accepts is the orders' rule); roles are a string or an array of strings.
    /// </summary>
    private Outcome<TokenIdentity> ToIdentity(SecurityToken token)
    {
        using var payload = TokenClaims.Parse((JsonWebToken)token);
        if (payload is null)
        {
            return new ApiError(ProblemKind.Forbidden, "The token's payload is not one JSON object with each claim given once.");
        }

        var tenant = _options.TenantClaimPrefix.Length == 0
            ? payload.Identifier(_options.TenantClaim)
            : payload.PrefixedIdentifier(_options.TenantClaim, _options.TenantClaimPrefix);
        var email = payload.Single(_options.EmailClaim) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
        var application = payload.Single("idtyp").ValueKind == JsonValueKind.String && payload.Single("idtyp").ValueEquals("app")
            || payload.Single("scp").ValueKind == JsonValueKind.Undefined;
        return Outcome.Ok(new TokenIdentity(
            payload.Identifier(DirectoryClaim),
            tenant,
            payload.Identifier(_options.CustomerClaim),
            email,
            payload.HasString(_options.RoleClaim, AuthOptions.AdminRole),
            payload.HasString(_options.RoleClaim, AuthOptions.OperatorRole),
            application));
    }
}
