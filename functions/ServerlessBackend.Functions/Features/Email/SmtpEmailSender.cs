using System.Diagnostics;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>
/// Sends through the configured SMTP relay with MailKit, one connection per message. A refusal is read with
/// <see cref="SmtpRefusal"/>: the recipient's final answer is returned, anything else (the relay's policy or
/// authentication, a 4xx) thrown as <see cref="RelayRefusedException"/>.
/// </summary>
public sealed class SmtpEmailSender(IOptions<EmailOptions> options) : IEmailSender
{
    private readonly EmailOptions _options = options.Value;

    public async Task<RelayAnswer> SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var mime = new MimeMessage
        {
            Subject = message.Subject,
            MessageId = message.MessageId,
            Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody(),
        };
        mime.From.Add(MailboxAddress.Parse(_options.FromAddress));
        mime.To.Add(MailboxAddress.Parse(message.To));

        // The relay's address and port only: the recipient stays out of telemetry.
        using var activity = AppTelemetry.Source.StartActivity("smtp send", ActivityKind.Client);
        activity?.SetTag("server.address", _options.SmtpHost);
        activity?.SetTag("server.port", _options.SmtpPort);
        using var client = new SmtpClient();
        var userName = _options.UserName;
        var security = !string.IsNullOrEmpty(userName)
            ? (_options.SmtpPort == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls)
            : SecureSocketOptions.Auto;
        try
        {
            await client.ConnectAsync(_options.SmtpHost, _options.SmtpPort, security, cancellationToken);
            if (userName is { Length: > 0 })
            {
                await client.AuthenticateAsync(userName, _options.Password ?? "", cancellationToken);
            }

            await client.SendAsync(mime, cancellationToken);
        }
        catch (AuthenticationException)
        {
            // MailKit reports the relay refusing the credentials without its code: RFC 4954's answer to them is 535.
            throw Refused(activity, new SmtpRefusal(535, null, RefusalKind.Relay), "AUTH");
        }
        catch (ServiceNotAuthenticatedException e)
        {
            // MailKit turns a 530 (authentication required, RFC 4954) to any command into this, with the relay's text.
            throw Refused(activity, SmtpRefusal.Classify(530, e.Message, toRecipient: false), "a command");
        }
        catch (SmtpCommandException e)
        {
            var refusal = SmtpRefusal.Classify((int)e.StatusCode, e.Message, toRecipient: e.ErrorCode == SmtpErrorCode.RecipientNotAccepted);
            if (refusal.Kind != RefusalKind.Recipient)
            {
                throw Refused(activity, refusal, e.ErrorCode switch
                {
                    SmtpErrorCode.RecipientNotAccepted => "RCPT TO",
                    SmtpErrorCode.SenderNotAccepted => "MAIL FROM",
                    SmtpErrorCode.MessageNotAccepted => "DATA",
                    _ => "a command",
                });
            }

            activity?.SetTag("smtp.status_code", refusal.Status);
            return RelayAnswer.RecipientRefused(refusal);
        }

        await client.DisconnectAsync(quit: true, cancellationToken);
        return RelayAnswer.Accepted;
    }

    private static RelayRefusedException Refused(Activity? activity, SmtpRefusal refusal, string command)
    {
        activity?.SetTag("smtp.status_code", refusal.Status);
        activity?.SetStatus(ActivityStatusCode.Error, refusal.Kind == RefusalKind.Transient ? "relay deferred" : "relay refused");
        return new RelayRefusedException(refusal, command);
    }
}
