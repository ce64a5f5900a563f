namespace ServerlessBackend.Functions.Shared.Auth;

/// <summary>The "Auth" settings section (app settings Auth__*). Claim names default to Microsoft Entra ID's.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The role that manages the catalog and sees every order of its tenant.</summary>
    public const string AdminRole = "admin";

    /// <summary>
    /// Longest tenant or customer claim value accepted (Entra ID's are GUIDs and 43-character subjects); the tenant id is
    /// the Cosmos partition key, whose value Cosmos limits to 2 KB.
    /// </summary>
    public const int MaxIdentifierLength = 256;

    /// <summary>OpenID Connect authority; its /.well-known/openid-configuration gives the issuer and signing keys.</summary>
    public string Authority { get; set; } = "";

    public string Audience { get; set; } = "";

    public string TenantClaim { get; set; } = "tid";

    public string CustomerClaim { get; set; } = "sub";

    public string EmailClaim { get; set; } = "email";

    public string RoleClaim { get; set; } = "roles";

    /// <summary>Local development only: accept tokens signed with <see cref="DevelopmentSigningKey"/> (issuer = Authority). Refused outside Development.</summary>
    public bool UseDevelopmentKey { get; set; }
}
