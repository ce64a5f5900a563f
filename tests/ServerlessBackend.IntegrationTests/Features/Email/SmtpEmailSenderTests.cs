using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Email;

[Collection(SmtpCollection.Name)]
public sealed class SmtpEmailSenderTests(SmtpServerFixture smtp)
{
    [Fact]
    public async Task A_message_arrives_at_the_relay_with_recipient_sender_subject_message_id_and_both_parts()
    {
        await smtp.ClearAsync();
        var sender = new SmtpEmailSender(Options.Create(new EmailOptions { SmtpHost = smtp.Host, SmtpPort = smtp.SmtpPort, FromAddress = "shop@example.com" }));

        var answer = await sender.SendAsync(
            new EmailMessage("ann@example.com", "Your order o-7 is confirmed", "plain body", "<p>html &amp; body</p>", "o-7.OrderConfirmed@example.com"),
            CancellationToken.None);

        Assert.True(answer.IsAccepted);
        var mail = Assert.Single(await smtp.WaitForMessagesAsync(1));
        Assert.Equal("ann@example.com", Assert.Single(mail.To).Address);
        Assert.Equal("shop@example.com", Assert.Single(mail.From).Address);
        Assert.Equal("Your order o-7 is confirmed", mail.Subject);
        Assert.Equal("plain body", mail.Text?.TrimEnd());
        Assert.Contains("<p>html &amp; body</p>", mail.Html, StringComparison.Ordinal);
        Assert.Equal("<o-7.OrderConfirmed@example.com>", mail.Headers!["message-id"].GetString());
    }

    [Fact]
    public async Task A_recipient_the_relay_refuses_for_good_is_answered_with_its_status_and_nothing_is_delivered()
    {
        await smtp.ClearAsync();
        var sender = new SmtpEmailSender(Options.Create(new EmailOptions { SmtpHost = smtp.Host, SmtpPort = smtp.SmtpPort, FromAddress = "shop@example.com" }));

        // MailDev refuses a quoted local part in RCPT TO with 501, as common relays do.
        var answer = await sender.SendAsync(new EmailMessage("\"quoted local\"@example.com", "s", "t", "<p>h</p>", "x@example.com"), CancellationToken.None);

        Assert.Equal(501, answer.RefusedStatus);
        Assert.False(answer.IsAccepted);
        Assert.Empty(await smtp.GetMessagesAsync());
    }

    [Fact]
    public async Task A_recipient_refused_for_now_fails_the_send_with_the_status_and_without_the_relays_text()
    {
        using var relay = new RefusingSmtpServer("450 4.2.1 <ann@example.com>: mailbox busy, try later");
        var sender = new SmtpEmailSender(Options.Create(new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = relay.Port, FromAddress = "shop@example.com" }));

        var error = await Assert.ThrowsAsync<RelayRefusedException>(() =>
            sender.SendAsync(new EmailMessage("ann@example.com", "s", "t", "<p>h</p>", "x@example.com"), CancellationToken.None));

        Assert.Equal(450, error.SmtpStatus);
        Assert.DoesNotContain("ann@example.com", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, relay.DataCommands);
    }

    [Fact]
    public async Task A_relay_that_is_not_there_fails_the_send()
    {
        var sender = new SmtpEmailSender(Options.Create(new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = LocalServer.FreePort(), FromAddress = "shop@example.com" }));

        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() =>
            sender.SendAsync(new EmailMessage("ann@example.com", "s", "t", "<p>h</p>", "x@example.com"), CancellationToken.None));
    }
}
