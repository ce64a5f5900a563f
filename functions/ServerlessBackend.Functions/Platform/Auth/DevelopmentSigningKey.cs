using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// A published HMAC key for local development tokens (functions/dev-token.sh mints them). It is not a
/// secret, which is why the app refuses to start with Auth__UseDevelopmentKey outside Development.
/// </summary>
public static class DevelopmentSigningKey
{
    public const string Value = "serverless-backend-local-development-signing-key-not-a-secret";

    public static SymmetricSecurityKey Key { get; } = new(Encoding.UTF8.GetBytes(Value)) { KeyId = "development" };
}
