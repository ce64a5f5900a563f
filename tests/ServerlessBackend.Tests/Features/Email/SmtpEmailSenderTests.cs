using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Tests.Infrastructure;

namespace ServerlessBackend.Tests.Features.Email;

[Collection(SmtpCollection.Name)]
public sealed class SmtpEmailSenderTests(SmtpServerFixture smtp)
{
    [Fact]
    public async Task A_message_arrives_at_the_relay_with_recipient_sender_subject_message_id_and_both_parts()
    {
        await smtp.ClearAsync();
        var sender = new SmtpEmailSender(Options.Create(new EmailOptions { SmtpHost = smtp.Host, SmtpPort = smtp.SmtpPort, FromAddress = "shop@example.com" }));

        await sender.SendAsync(
            new EmailMessage("ann@example.com", "Your order o-7 is confirmed", "plain body", "<p>html &amp; body</p>", "o-7.OrderConfirmed@example.com"),
            CancellationToken.None);

        var mail = Assert.Single(await smtp.WaitForMessagesAsync(1));
        Assert.Equal("ann@example.com", Assert.Single(mail.To).Address);
        Assert.Equal("shop@example.com", Assert.Single(mail.From).Address);
        Assert.Equal("Your order o-7 is confirmed", mail.Subject);
        Assert.Equal("plain body", mail.Text?.TrimEnd());
        Assert.Contains("<p>html &amp; body</p>", mail.Html, StringComparison.Ordinal);
        Assert.Equal("<o-7.OrderConfirmed@example.com>", mail.Headers!["message-id"].GetString());
    }

    [Fact]
    public async Task A_relay_that_is_not_there_fails_the_send()
    {
        var sender = new SmtpEmailSender(Options.Create(new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = LocalServer.FreePort(), FromAddress = "shop@example.com" }));

        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() =>
            sender.SendAsync(new EmailMessage("ann@example.com", "s", "t", "<p>h</p>", "x@example.com"), CancellationToken.None));
    }
}
