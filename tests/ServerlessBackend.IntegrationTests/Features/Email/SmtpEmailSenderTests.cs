using System.Globalization;
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

        Assert.Equal((501, null), (answer.RefusedStatus, answer.EnhancedStatus));
        Assert.False(answer.IsAccepted);
        Assert.Empty(await smtp.GetMessagesAsync());
    }

    public static TheoryData<string> RecipientRefusals => new()
    {
        "550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
        "551 5.1.6 User has moved",
        "552 5.2.2 Mailbox full",
        "553 5.1.3 Bad destination mailbox address syntax",
        "550 5.2.1 Mailbox disabled",
    };

    [Theory]
    [MemberData(nameof(RecipientRefusals))]
    public async Task The_recipients_own_refusal_at_RCPT_TO_is_answered_with_its_codes_and_nothing_more_is_sent(string rcptReply)
    {
        using var relay = new ScriptedSmtpServer(new Dictionary<string, string> { ["RCPT"] = rcptReply });

        var answer = await Sender(relay).SendAsync(Message, CancellationToken.None);

        Assert.Equal((int.Parse(rcptReply[..3], CultureInfo.InvariantCulture), rcptReply.Split(' ')[1]), (answer.RefusedStatus, answer.EnhancedStatus));
        Assert.DoesNotContain("DATA", relay.Commands);
    }

    public static TheoryData<string, string, int, string?> RelayRefusals => new()
    {
        // The relay's own policy at RCPT TO: Exchange/ACS, Postfix, a relay that wants authentication first.
        { "RCPT", "550 5.7.1 Unable to relay", 550, "5.7.1" },
        { "RCPT", "554 5.7.1 <ann@example.com>: Relay access denied", 554, "5.7.1" },
        { "RCPT", "530 5.7.0 Authentication required", 530, "5.7.0" },
        { "RCPT", "550 5.7.606 Access denied, banned sending IP [192.0.2.1]", 550, "5.7.606" },
        { "RCPT", "550 5.1.8 Sender address rejected: Domain not found", 550, "5.1.8" },
        { "RCPT", "554 5.3.0 Mail system configuration error", 554, "5.3.0" },
        { "RCPT", "550 Relaying denied", 550, null },
        { "MAIL", "530 5.7.0 Authentication required", 530, "5.7.0" },
        { "MAIL", "553 5.7.1 Sender address not owned by user", 553, "5.7.1" },
        { ".", "554 5.6.0 Message content rejected", 554, "5.6.0" },
    };

    [Theory]
    [MemberData(nameof(RelayRefusals))]
    public async Task The_relays_own_refusal_fails_the_send_as_refused_for_good_with_its_codes_and_without_its_text(string verb, string reply, int status, string? enhanced)
    {
        using var relay = new ScriptedSmtpServer(new Dictionary<string, string> { [verb] = reply });

        var error = await Assert.ThrowsAsync<RelayRefusedException>(() => Sender(relay).SendAsync(Message, CancellationToken.None));

        Assert.Equal((status, enhanced, false), (error.SmtpStatus, error.EnhancedStatus, error.Transient));
        Assert.DoesNotContain("ann@example.com", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, relay.Accepted);
    }

    [Theory]
    [InlineData("RCPT", "450 4.2.1 <ann@example.com>: mailbox busy, try later")]
    [InlineData("RCPT", "451 4.7.1 Greylisted, try again in 300 seconds")]
    [InlineData("MAIL", "421 4.7.0 Too many connections, try later")]
    [InlineData("RCPT", "552 Too many recipients")]
    public async Task A_refusal_for_now_fails_the_send_as_transient_without_the_relays_text(string verb, string reply)
    {
        using var relay = new ScriptedSmtpServer(new Dictionary<string, string> { [verb] = reply });

        var error = await Assert.ThrowsAsync<RelayRefusedException>(() => Sender(relay).SendAsync(Message, CancellationToken.None));

        Assert.Equal(int.Parse(reply[..3], CultureInfo.InvariantCulture), error.SmtpStatus);
        Assert.True(error.Transient);
        Assert.DoesNotContain("ann@example.com", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("DATA", relay.Commands);
    }

    [Fact]
    public async Task The_scripted_relay_accepts_like_a_relay_when_nothing_is_refused()
    {
        using var relay = new ScriptedSmtpServer();

        Assert.True((await Sender(relay).SendAsync(Message, CancellationToken.None)).IsAccepted);

        Assert.Equal(["EHLO", "MAIL", "RCPT", "DATA", ".", "QUIT"], relay.Commands);
        Assert.Equal(1, relay.Accepted);
    }

    private static EmailMessage Message => new("ann@example.com", "s", "t", "<p>h</p>", "x@example.com");

    private static SmtpEmailSender Sender(ScriptedSmtpServer relay) =>
        new(Options.Create(new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = relay.Port, FromAddress = "shop@example.com" }));

    [Fact]
    public async Task A_relay_that_is_not_there_fails_the_send()
    {
        var sender = new SmtpEmailSender(Options.Create(new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = LocalServer.FreePort(), FromAddress = "shop@example.com" }));

        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() =>
            sender.SendAsync(new EmailMessage("ann@example.com", "s", "t", "<p>h</p>", "x@example.com"), CancellationToken.None));
    }
}
