using System.Globalization;
using System.Text;
using ServerlessBackend.Functions.Features.Payments.Stripe;
using ServerlessBackend.Tests.Support;
using Stripe;

namespace ServerlessBackend.UnitTests.Features.Payments;

/// <summary>The Stripe-Signature check, with headers computed as Stripe documents them (HMAC-SHA256 of "{t}.{body}", hex).</summary>
public sealed class StripeSignatureTests
{
    private const string Secret = "whsec_test_secret";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private const string Payload = """{"id":"evt_1","object":"event","type":"payment_intent.amount_capturable_updated"}""";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(Payload);

    [Fact]
    public void A_header_that_signs_the_body_with_the_secret_and_is_recent_passes()
    {
        Assert.Null(StripeSignature.Verify(Body, Header(Body, Secret, Now), Secret, Now));
    }

    [Fact]
    public void Any_v1_may_match_as_while_Stripe_rolls_the_secret()
    {
        var t = Now.ToUnixTimeSeconds();
        var header = $"t={t},v1={Hex(Body, "whsec_old", t)},v1={Hex(Body, Secret, t)},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39";

        Assert.Null(StripeSignature.Verify(Body, header, Secret, Now));
    }

    [Fact]
    public void A_tampered_body_fails()
    {
        var header = Header(Body, Secret, Now);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Body).Replace("evt_1", "evt_2", StringComparison.Ordinal));

        Assert.Contains("matches", StripeSignature.Verify(tampered, header, Secret, Now), StringComparison.Ordinal);
    }

    [Fact]
    public void Another_secret_fails()
    {
        Assert.Contains("matches", StripeSignature.Verify(Body, Header(Body, "whsec_someone_else", Now), Secret, Now), StringComparison.Ordinal);
    }

    [Fact]
    public void A_timestamp_older_than_300_seconds_fails_by_the_clock_given()
    {
        var header = Header(Body, Secret, Now);

        Assert.Null(StripeSignature.Verify(Body, header, Secret, Now.AddSeconds(300)));
        Assert.Contains("more than 300 seconds", StripeSignature.Verify(Body, header, Secret, Now.AddSeconds(301)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_timestamp_more_than_300_seconds_ahead_of_the_clock_fails_as_Stripe_net_refuses_it()
    {
        // A captured request signed with a timestamp in the future would otherwise stay replayable until that time.
        var header = Header(Body, Secret, Now.AddSeconds(301));

        Assert.Null(StripeSignature.Verify(Body, Header(Body, Secret, Now.AddSeconds(300)), Secret, Now));
        Assert.Contains("more than 300 seconds", StripeSignature.Verify(Body, header, Secret, Now), StringComparison.Ordinal);
        Assert.Throws<StripeException>(() => EventUtility.ValidateSignature(Payload, header, Secret, 300, Now.ToUnixTimeSeconds()));
    }

    [Fact]
    public void A_timestamp_far_in_the_future_fails()
    {
        Assert.NotNull(StripeSignature.Verify(Body, Header(Body, Secret, Now.AddYears(30)), Secret, Now));
    }

    [Fact]
    public void A_signed_header_whose_timestamp_was_changed_fails()
    {
        var header = Header(Body, Secret, Now.AddHours(-1)).Replace($"t={Now.AddHours(-1).ToUnixTimeSeconds()}", $"t={Now.ToUnixTimeSeconds()}", StringComparison.Ordinal);

        Assert.Contains("matches", StripeSignature.Verify(Body, header, Secret, Now), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=abc")]
    [InlineData("t=1764331200")]
    [InlineData("t=1764331200,v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39")]
    [InlineData("t=soon,v1=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39")]
    [InlineData("t=1764331200,v1=not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-")]
    [InlineData("garbage")]
    public void A_missing_or_malformed_header_fails(string? header)
    {
        Assert.NotNull(StripeSignature.Verify(Body, header, Secret, Now));
    }

    [Fact]
    public void The_signature_is_the_one_stripe_net_computes_and_stripe_net_accepts_the_header()
    {
        var t = Now.ToUnixTimeSeconds();
        var header = Header(Body, Secret, Now);

        Assert.Equal(Hex(Body, Secret, t), EventUtility.ComputeSignature(Secret, t.ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetString(Body)));
        EventUtility.ValidateSignature(Encoding.UTF8.GetString(Body), header, Secret, 300, t);
    }

    private static string Header(byte[] body, string secret, DateTimeOffset at) => StripeEvents.SignatureHeader(Encoding.UTF8.GetString(body), secret, at);

    private static string Hex(byte[] body, string secret, long t) => StripeEvents.Signature(Encoding.UTF8.GetString(body), secret, t);
}
