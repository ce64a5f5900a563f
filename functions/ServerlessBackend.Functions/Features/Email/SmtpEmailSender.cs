using System.Diagnostics;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using ServerlessBackend.Functions.Shared.Telemetry;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>Sends through the configured SMTP relay with MailKit, one connection per message.</summary>
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
        await client.ConnectAsync(_options.SmtpHost, _options.SmtpPort, security, cancellationToken);
        if (userName is { Length: > 0 })
        {
            await client.AuthenticateAsync(userName, _options.Password ?? "", cancellationToken);
        }

        try
        {
            await client.SendAsync(mime, cancellationToken);
        }
        catch (SmtpCommandException e) when (e.ErrorCode == SmtpErrorCode.RecipientNotAccepted && (int)e.StatusCode >= 500)
        {
            // RFC 5321: a 5yz reply is permanent; the same recipient will be refused on every retry.
            activity?.SetTag("smtp.status_code", (int)e.StatusCode);
            return RelayAnswer.RecipientRefused((int)e.StatusCode);
        }
        catch (SmtpCommandException e)
        {
            activity?.SetTag("smtp.status_code", (int)e.StatusCode);
            activity?.SetStatus(ActivityStatusCode.Error, e.ErrorCode.ToString());
            throw new RelayRefusedException((int)e.StatusCode, e.ErrorCode switch
            {
                SmtpErrorCode.RecipientNotAccepted => "RCPT TO",
                SmtpErrorCode.SenderNotAccepted => "MAIL FROM",
                SmtpErrorCode.MessageNotAccepted => "DATA",
                _ => "a command",
            });
        }

        await client.DisconnectAsync(quit: true, cancellationToken);
        return RelayAnswer.Accepted;
    }
}
