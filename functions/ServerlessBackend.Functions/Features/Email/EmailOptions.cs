namespace ServerlessBackend.Functions.Features.Email;

/// <summary>The SMTP relay, bound from the <c>Email</c> section (<c>Email__SmtpHost</c>, ... in app settings).</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    public string SmtpHost { get; set; } = "";

    public int SmtpPort { get; set; } = 587;

    public string FromAddress { get; set; } = "";

    /// <summary>Relay credentials; when set, TLS is required so they never cross the network in clear.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }
}
