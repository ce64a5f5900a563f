using Microsoft.IdentityModel.JsonWebTokens;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// The lifetime bounds the token library leaves open. It refuses a token before its <c>nbf</c> and after its <c>exp</c>
/// (each with the clock skew), but neither reads <c>iat</c> nor bounds <c>exp</c> from above: a token issued in the
/// future, or one valid for years, would pass. Both are refused here: <c>iat</c> no later than now plus
/// <see cref="ClockSkew.Max"/> (the skew the library allows too), and <c>exp</c> no further from now than
/// <see cref="MaxLifetime"/> plus that skew.
/// </summary>
public static class TokenLifetime
{
    /// <summary>The longest an issuer the app trusts makes a token live: Microsoft Entra ID's continuous access evaluation tokens, up to 28 hours (default 60 to 90 minutes, a lifetime policy at most 1 day).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(28);

    /// <summary>Whether <paramref name="token"/>'s iat and exp lie within the bounds at <paramref name="utcNow"/> (the clock the token library checks nbf and exp with).</summary>
    public static bool IsBounded(JsonWebToken token, DateTime utcNow)
    {
        ArgumentNullException.ThrowIfNull(token);

        // IssuedAt and ValidTo are DateTime.MinValue when the claim is absent (exp is required by the validation before).
        return token.IssuedAt <= utcNow + ClockSkew.Max && token.ValidTo <= utcNow + MaxLifetime + ClockSkew.Max;
    }
}
