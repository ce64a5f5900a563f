namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>The payment settings, bound from the <c>Payments</c> section (<c>Payments__Provider</c> in app settings).</summary>
public sealed class PaymentOptions
{
    public const string Section = "Payments";

    /// <summary><c>local</c> or <c>stripe</c>. Unset means <c>local</c> in Development; anywhere else it must be set.</summary>
    public string? Provider { get; set; }
}
