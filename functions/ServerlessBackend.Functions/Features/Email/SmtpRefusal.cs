using System.Globalization;
using System.Text.RegularExpressions;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>Whose answer an SMTP refusal is, and so what becomes of the email.</summary>
public enum RefusalKind
{
    /// <summary>The recipient's address or mailbox, for good: recorded as the notification's outcome, never retried.</summary>
    Recipient,

    /// <summary>The relay's policy, authentication, configuration or protocol, for good until someone changes it: thrown (retried, then dead-lettered) and alerted on.</summary>
    Relay,

    /// <summary>Any 4xx: may pass by itself; thrown, so Service Bus retries.</summary>
    Transient,
}

/// <summary>
/// An SMTP refusal read by RFC 5321's reply code and, when the reply starts with one, RFC 3463's enhanced status code
/// (<c>class.subject.detail</c>; relays announce them with ENHANCEDSTATUSCODES, RFC 2034). Only a refusal of RCPT TO
/// can be the recipient's, and only when it says so: a relay answers RCPT TO with its own policy too
/// (<c>550 5.7.1 Relaying denied</c>), and taking that for the recipient's answer would record every email of a
/// misconfigured relay as delivered nowhere, silently. So an ambiguous refusal counts as the relay's: it is retried,
/// dead-lettered and alerted on, where a wrong "recipient refused" would be lost.
/// <list type="bullet">
/// <item>4yz: <see cref="RefusalKind.Transient"/>, whatever the command (RFC 5321 4.2.1).</item>
/// <item>5yz to anything but RCPT TO (greeting, AUTH, MAIL FROM, DATA): <see cref="RefusalKind.Relay"/>.</item>
/// <item>5yz to RCPT TO: 530, 534, 535, 538 (authentication, RFC 4954) are the relay's. With an enhanced code:
/// X.1.Y addressing (5.1.1 no such mailbox, 5.1.2 no such domain, 5.1.3 bad syntax, 5.1.6 moved, 5.1.10 null MX) and
/// X.2.Y mailbox (5.2.1 disabled, 5.2.2 full, 5.2.3 too large for it) are the recipient's ("under the general
/// control of the recipient", RFC 3463 3.2, 3.3), except 5.1.7 and 5.1.8, which are about the sender's address; X.3
/// mail system, X.4 network and routing ("status about the delivery system itself"), X.5 protocol, X.6 content and
/// X.7 security or policy are the relay's. Without one (or with X.0, "other"): 501 (the RCPT argument is the
/// address), 551 and 553 are the recipient's; 552 is <see cref="RefusalKind.Transient"/> (RFC 5321 4.5.3.1.10:
/// treat it as 452); 550 and 554 say nothing about whose ("mailbox unavailable ... or command rejected for policy
/// reasons") and count as the relay's.</item>
/// </list>
/// Microsoft 365 answers an address its directory does not know with 550 5.4.1 (Directory-Based Edge Blocking), a
/// routing code by RFC 3463: such an email is dead-lettered after its retries, not recorded.
/// </summary>
public sealed partial record SmtpRefusal(int Status, string? EnhancedStatus, RefusalKind Kind)
{
    /// <summary>The refusal of a command answered <paramref name="status"/> with <paramref name="text"/> (the reply after its code), to RCPT TO or not.</summary>
    public static SmtpRefusal Classify(int status, string? text, bool toRecipient)
    {
        var match = text is null ? null : EnhancedPattern().Match(text);

        // Its class must agree with the reply code's first digit (RFC 3463, 2); one that does not is ignored.
        var enhanced = match is { Success: true } && match.Groups["class"].Value[0] - '0' == status / 100 ? match : null;
        return new SmtpRefusal(status, enhanced?.Value, KindOf(status, toRecipient, enhanced));
    }

    private static RefusalKind KindOf(int status, bool toRecipient, Match? enhanced)
    {
        if (status is >= 400 and < 500)
        {
            return RefusalKind.Transient;
        }

        if (!toRecipient || status is 530 or 534 or 535 or 538)
        {
            return RefusalKind.Relay;
        }

        var subject = enhanced is null ? 0 : int.Parse(enhanced.Groups["subject"].Value, CultureInfo.InvariantCulture);
        var detail = enhanced is null ? 0 : int.Parse(enhanced.Groups["detail"].Value, CultureInfo.InvariantCulture);
        return subject switch
        {
            1 => detail is 7 or 8 ? RefusalKind.Relay : RefusalKind.Recipient,
            2 => RefusalKind.Recipient,
            0 => status switch
            {
                501 or 551 or 553 => RefusalKind.Recipient,
                552 => RefusalKind.Transient,
                _ => RefusalKind.Relay,
            },
            _ => RefusalKind.Relay,
        };
    }

    // RFC 3463: class "." subject "." detail, subject 1 to 3 digits, detail 1 to 3 digits, at the start of the text.
    [GeneratedRegex(@"\A(?<class>[245])\.(?<subject>\d{1,3})\.(?<detail>\d{1,3})(?=\s|\z)")]
    private static partial Regex EnhancedPattern();
}
