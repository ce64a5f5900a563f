namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>Entra ID's authority conventions, as <c>AadIssuerValidator</c> applies them.</summary>
public static class EntraAuthority
{
    private const string V2Suffix = "/v2.0";

    /// <summary>
    /// The v1.0 authority of a v2.0 one, whose metadata names the v1.0 issuer (<c>https://sts.windows.net/{tenantid}/</c>):
    /// <c>.../organizations/v2.0</c> becomes <c>.../common</c> (v1.0 has no organizations endpoint), <c>.../{tenant}/v2.0</c>
    /// becomes <c>.../{tenant}</c>. Null when the authority is not a v2.0 one (then only its own metadata counts).
    /// </summary>
    public static string? V1Of(string authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var trimmed = authority.TrimEnd('/');
        if (!trimmed.EndsWith(V2Suffix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var v1 = trimmed[..^V2Suffix.Length];
        return v1.EndsWith("/organizations", StringComparison.OrdinalIgnoreCase) ? v1[..^"organizations".Length] + "common" : v1;
    }
}
