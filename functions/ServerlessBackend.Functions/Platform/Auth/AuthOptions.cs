namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>The "Auth" settings section (app settings Auth__*). Claim names default to Microsoft Entra ID's.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The role that manages the catalog and sees every order of its tenant.</summary>
    public const string AdminRole = "admin";

    /// <summary>The role that onboards and suspends tenants; counts only in a token from <see cref="OperatorDirectoryId"/>.</summary>
    public const string OperatorRole = "operator";

    /// <summary>
    /// Longest tenant or customer claim value accepted (Entra ID's are GUIDs and 43-character subjects); the tenant id is
    /// the Cosmos partition key, whose value Cosmos limits to 2 KB.
    /// </summary>
    public const int MaxIdentifierLength = 256;

    /// <summary>
    /// OpenID Connect authority; its /.well-known/openid-configuration gives the issuer and signing keys. For Entra ID a
    /// v2.0 authority: .../organizations/v2.0 (any directory, B2B) or .../{tenant id}/v2.0 (one directory); the v1.0
    /// metadata of the same authority is read too, so v1.0 tokens are accepted beside v2.0 ones.
    /// </summary>
    public string Authority { get; set; } = "";

    /// <summary>Accepted token audiences, comma-separated: the API's App ID URI (v1.0 tokens) and its client id (v2.0 tokens).</summary>
    public string Audiences { get; set; } = "";

    /// <summary>
    /// The claim naming the shop tenant, which is also the tenancy model: <c>tid</c> (the default) makes each Entra
    /// directory one tenant (B2B SaaS); any other claim (a custom claim, or <c>roles</c> with <see cref="TenantClaimPrefix"/>)
    /// carries the shop within one directory.
    /// </summary>
    public string TenantClaim { get; set; } = "tid";

    /// <summary>Optional: the tenant is the one value of <see cref="TenantClaim"/> starting with this prefix, without it (app roles such as <c>shop:contoso</c>).</summary>
    public string TenantClaimPrefix { get; set; } = "";

    public string CustomerClaim { get; set; } = "sub";

    public string EmailClaim { get; set; } = "email";

    public string RoleClaim { get; set; } = "roles";

    /// <summary>The operator's home directory (its Entra tenant id): only a token with this <c>tid</c> and the operator role may onboard tenants. Empty: nobody may.</summary>
    public string OperatorDirectoryId { get; set; } = "";

    /// <summary>Local development only: accept tokens signed with <see cref="DevelopmentSigningKey"/> (issuer = Authority), and onboard a tenant at its first request. Refused outside Development.</summary>
    public bool UseDevelopmentKey { get; set; }

    /// <summary>The accepted audiences as a list.</summary>
    public IReadOnlyList<string> AudienceList() =>
        Audiences.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
