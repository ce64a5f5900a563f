using ServerlessBackend.Functions.Features.Email;

namespace ServerlessBackend.UnitTests.Features.Email;

/// <summary>Whose answer an SMTP refusal is, by RFC 5321's reply code and RFC 3463's enhanced status code.</summary>
public sealed class SmtpRefusalTests
{
    [Theory]
    [InlineData(550, "5.1.1 <a@example.com>: Recipient address rejected: User unknown", "5.1.1")]
    [InlineData(550, "5.1.10 Recipient address has null MX", "5.1.10")]
    [InlineData(553, "5.1.3 Bad destination mailbox address syntax", "5.1.3")]
    [InlineData(551, "5.1.6 User has moved", "5.1.6")]
    [InlineData(552, "5.2.2 Mailbox full", "5.2.2")]
    [InlineData(550, "5.2.1 Mailbox disabled, not accepting messages", "5.2.1")]
    [InlineData(552, "5.2.3 Message length exceeds administrative limit", "5.2.3")]
    [InlineData(501, "Error: Bad recipient address syntax", null)]
    [InlineData(553, "Requested action not taken: mailbox name not allowed", null)]
    [InlineData(551, "User not local", null)]
    [InlineData(553, "5.0.0 mailbox name not allowed", "5.0.0")]
    public void The_recipients_own_answer_to_RCPT_TO_is_the_recipients(int status, string text, string? enhanced)
    {
        Assert.Equal(new SmtpRefusal(status, enhanced, RefusalKind.Recipient), SmtpRefusal.Classify(status, text, toRecipient: true));
    }

    [Theory]
    [InlineData(550, "5.7.1 Unable to relay")]
    [InlineData(554, "5.7.1 <a@example.com>: Relay access denied")]
    [InlineData(550, "5.7.606 Access denied, banned sending IP")]
    [InlineData(530, "5.7.0 Authentication required")]
    [InlineData(535, "5.7.8 Authentication credentials invalid")]
    [InlineData(530, "Authentication required")]
    [InlineData(550, "5.1.7 Bad sender's mailbox address syntax")]
    [InlineData(550, "5.1.8 Sender address rejected: Domain not found")]
    [InlineData(550, "5.3.0 Mail system configuration error")]
    [InlineData(550, "5.4.1 Recipient address rejected: Access denied")]
    [InlineData(554, "5.4.6 Routing loop detected")]
    [InlineData(501, "5.5.4 Invalid command arguments")]
    [InlineData(554, "5.6.0 Message content rejected")]
    [InlineData(550, "Relaying denied")]
    [InlineData(554, "Transaction failed")]
    [InlineData(550, "5.0.0 Access denied")]
    [InlineData(550, "4.1.1 class disagreeing with the reply")]
    [InlineData(550, null)]
    public void A_policy_security_system_routing_protocol_content_or_ambiguous_answer_to_RCPT_TO_is_the_relays(int status, string? text)
    {
        Assert.Equal(RefusalKind.Relay, SmtpRefusal.Classify(status, text, toRecipient: true).Kind);
    }

    [Theory]
    [InlineData(550, "5.1.1 User unknown")]
    [InlineData(553, "5.1.3 Bad address")]
    [InlineData(554, "5.6.0 Message content rejected")]
    public void A_refusal_of_any_other_command_is_the_relays_whatever_its_code(int status, string text)
    {
        Assert.Equal(RefusalKind.Relay, SmtpRefusal.Classify(status, text, toRecipient: false).Kind);
    }

    [Theory]
    [InlineData(450, "4.2.1 Mailbox busy", true)]
    [InlineData(451, "4.7.1 Greylisted", true)]
    [InlineData(421, "4.7.0 Too many connections", false)]
    [InlineData(454, "4.7.0 Temporary authentication failure", false)]
    [InlineData(452, "4.5.3 Too many recipients", true)]
    [InlineData(552, "Too many recipients", true)]
    public void A_4xx_and_RFC_5321s_552_to_RCPT_TO_are_transient(int status, string text, bool toRecipient)
    {
        Assert.Equal(RefusalKind.Transient, SmtpRefusal.Classify(status, text, toRecipient).Kind);
    }

    [Theory]
    [InlineData("5.7.1 Unable to relay", "5.7.1")]
    [InlineData("5.7.606 Access denied", "5.7.606")]
    [InlineData("5.1.1", "5.1.1")]
    [InlineData("5.7.1Unable", null)]
    [InlineData("see 5.7.1", null)]
    [InlineData("5.7 Unable", null)]
    [InlineData("5.7.1234 too long", null)]
    public void The_enhanced_code_is_read_only_at_the_start_of_the_text(string text, string? enhanced)
    {
        Assert.Equal(enhanced, SmtpRefusal.Classify(550, text, toRecipient: true).EnhancedStatus);
    }
}
