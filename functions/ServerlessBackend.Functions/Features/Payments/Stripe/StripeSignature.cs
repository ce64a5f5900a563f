using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessBackend.Functions.Features.Payments.Stripe;

/// <summary>
/// Checks the <c>Stripe-Signature</c> header as Stripe documents it (https://docs.stripe.com/webhooks#verify-manually):
/// <c>t=timestamp,v1=signature[,v1=...]</c>, each v1 the hex HMAC-SHA256 of <c>{t}.{raw body}</c> under the endpoint's
/// signing secret; any v1 may match (Stripe signs with old and new secret while one is rolled). A timestamp more than
/// <see cref="Tolerance"/> away from the clock, in either direction, is refused as Stripe's libraries refuse it
/// (|now - t| &gt; tolerance): a captured request cannot be replayed later, nor one signed with a future timestamp
/// stay replayable until then.
/// </summary>
public static class StripeSignature
{
    public const string Header = "Stripe-Signature";

    /// <summary>Stripe's libraries' default.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    /// <summary>Null when the header signs <paramref name="body"/> and is recent, else why not (safe to answer and log).</summary>
    public static string? Verify(ReadOnlySpan<byte> body, string? header, string secret, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (string.IsNullOrWhiteSpace(header))
        {
            return $"The {Header} header is missing.";
        }

        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var (name, value) = part.IndexOf('=', StringComparison.Ordinal) is var at and > 0 ? (part[..at].Trim(), part[(at + 1)..].Trim()) : ("", "");
            if (name == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (name == "v1" && value.Length == 64 && TryHex(value, out var signature))
            {
                signatures.Add(signature);
            }
        }

        if (timestamp is null || signatures.Count == 0)
        {
            return $"The {Header} header has no timestamp or no v1 signature.";
        }

        var expected = Compute(body, timestamp.Value, secret);
        if (!signatures.Exists(s => CryptographicOperations.FixedTimeEquals(s, expected)))
        {
            return $"No v1 signature in the {Header} header matches the body.";
        }

        // Both directions, so a future timestamp opens no longer replay window (and no overflow: t is at most long.MaxValue).
        var offset = (decimal)now.ToUnixTimeSeconds() - timestamp.Value;
        return Math.Abs(offset) > (decimal)Tolerance.TotalSeconds
            ? $"The {Header} timestamp is more than {Tolerance.TotalSeconds} seconds {(offset > 0 ? "older" : "later")} than the app's clock."
            : null;
    }

    /// <summary>HMAC-SHA256 of <c>{timestamp}.{body}</c>: what Stripe sends as v1 (hex).</summary>
    public static byte[] Compute(ReadOnlySpan<byte> body, long timestamp, string secret)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
    }

    private static bool TryHex(string value, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromHexString(value);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
