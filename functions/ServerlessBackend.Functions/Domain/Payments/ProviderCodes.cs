namespace ServerlessBackend.Functions.Domain.Payments;

/// <summary>What of a provider's decline or failure code is recorded on the payment and shown: never free text.</summary>
public static class ProviderCodes
{
    /// <summary>The provider's own short code (lower-case letters, digits, underscores), or "declined" for anything else.</summary>
    public static string Recordable(string? code) =>
        code is { Length: > 0 and <= 64 } && code.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') ? code : "declined";
}
