namespace ServerlessBackend.Functions.Features.Email;

public interface IEmailSender
{
    /// <summary>Hands the message to the relay; throws when the relay does not accept it.</summary>
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}
