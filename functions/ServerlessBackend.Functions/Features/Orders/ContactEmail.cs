using System.Globalization;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>
/// The contact addresses the API accepts: the ones common mail relays take without SMTP extensions, so a
/// notification never fails for the address's form. That is the plain <c>local@domain</c> of RFC 5321 in ASCII:
/// <list type="bullet">
/// <item>local part: 1 to 64 characters, dot-separated atoms of letters, digits and <c>!#$%&amp;'*+-/=?^_`{|}~</c>
/// (no quoted strings, comments, white space, leading, trailing or doubled dots);</item>
/// <item>domain: a host name of at least two labels, each 1 to 63 letters, digits or hyphens, not starting or ending
/// with a hyphen, the last one with a letter (no IP literal like <c>[192.0.2.1]</c>, no bare IP, no <c>localhost</c>);
/// an internationalized domain in its ASCII form (<c>xn--bcher-kva.example</c>, checked to decode), never in Unicode,
/// and no non-ASCII local part (both need SMTPUTF8, which relays need not offer);</item>
/// <item>at most 254 characters in all (RFC 5321's 256-octet path holds the address and its angle brackets).</item>
/// </list>
/// Case is kept as given.
/// </summary>
public static class ContactEmail
{
    public const int MaxLength = 254;
    public const int MaxLocalPartLength = 64;
    public const int MaxLabelLength = 63;

    public const string Rule = "A plain address local@domain.example of at most 254 ASCII characters: no quoted or commented parts, no IP-literal or single-label domain (an internationalized domain in its xn-- form).";

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    public static bool IsAcceptable(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.IndexOf('@', StringComparison.Ordinal);
        return address.Length <= MaxLength && at > 0
            && IsLocalPart(address.AsSpan(0, at))
            && IsDomain(address[(at + 1)..]);
    }

    private static bool IsLocalPart(ReadOnlySpan<char> local)
    {
        if (local.Length > MaxLocalPartLength || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '.' || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDomain(string domain)
    {
        var labels = domain.Split('.');
        if (labels.Length < 2 || !labels.All(IsLabel) || !labels[^1].Any(char.IsAsciiLetter))
        {
            return false;
        }

        try
        {
            // An A-label must decode (xn-- followed by valid Punycode).
            Idn.GetUnicode(domain);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool IsLabel(string label) =>
        label.Length is > 0 and <= MaxLabelLength && label[0] != '-' && label[^1] != '-' && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
