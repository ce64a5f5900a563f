namespace ServerlessBackend.Functions.Features.Email;

public interface IEmailSender
{
    /// <summary>
    /// Hands the message to the relay: <see cref="RelayAnswer.Accepted"/>, or the relay's refusal of the recipient for
    /// good (an SMTP 5xx to RCPT TO). Throws for anything that may succeed later (relay down, a 4xx, a timeout).
    /// </summary>
    Task<RelayAnswer> SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

/// <summary>What the relay did with a message: accepted it, or refused its recipient for good with <see cref="RefusedStatus"/>.</summary>
public sealed record RelayAnswer(int? RefusedStatus)
{
    public static RelayAnswer Accepted { get; } = new(RefusedStatus: null);

    public bool IsAccepted => RefusedStatus is null;

    public static RelayAnswer RecipientRefused(int smtpStatus) => new(smtpStatus);
}

/// <summary>
/// The relay refused a command with an SMTP status that may pass later (4xx), or refused the sender or the content.
/// Carries only the status and the command, never the relay's text, which often quotes the recipient's address.
/// </summary>
public sealed class RelayRefusedException(int smtpStatus, string command)
    : Exception($"The SMTP relay answered {smtpStatus} to {command}; the message was not accepted.")
{
    public int SmtpStatus { get; } = smtpStatus;
}
