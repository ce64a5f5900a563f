namespace ServerlessBackend.Functions.Features.Email;

public interface IEmailSender
{
    /// <summary>
    /// Hands the message to the relay: <see cref="RelayAnswer.Accepted"/>, or the recipient refused for good (a 5xx to
    /// RCPT TO that is the recipient's answer, see <see cref="SmtpRefusal"/>). Throws <see cref="RelayRefusedException"/>
    /// for any other refusal (the relay's policy or authentication, a 4xx) and other exceptions when the relay cannot be
    /// reached or the send times out: all of them may succeed later.
    /// </summary>
    Task<RelayAnswer> SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

/// <summary>What the relay did with a message: accepted it, or refused its recipient for good with <see cref="RefusedStatus"/> (and <see cref="EnhancedStatus"/> when it gave one).</summary>
public sealed record RelayAnswer(int? RefusedStatus, string? EnhancedStatus = null)
{
    public static RelayAnswer Accepted { get; } = new(RefusedStatus: null);

    public bool IsAccepted => RefusedStatus is null;

    public static RelayAnswer RecipientRefused(SmtpRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return new(refusal.Status, refusal.EnhancedStatus);
    }
}

/// <summary>
/// The relay refused a command, and not as the recipient's final answer (<see cref="SmtpRefusal"/>): its policy or
/// authentication, or a 4xx (<see cref="Transient"/>). Carries only the codes and the command, never the relay's
/// text, which often quotes the recipient's address.
/// </summary>
public sealed class RelayRefusedException(SmtpRefusal refusal, string command)
    : Exception($"The SMTP relay answered {refusal.Status}{(refusal.EnhancedStatus is null ? "" : " " + refusal.EnhancedStatus)} to {command}; the message was not accepted.")
{
    public int SmtpStatus { get; } = refusal.Status;

    public string? EnhancedStatus { get; } = refusal.EnhancedStatus;

    /// <summary>A 4xx: may pass by itself. Otherwise the relay refuses for good until its setup (or the app's) changes.</summary>
    public bool Transient { get; } = refusal.Kind == RefusalKind.Transient;
}
