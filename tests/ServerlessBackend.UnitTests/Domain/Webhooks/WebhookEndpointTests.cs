using ServerlessBackend.Functions.Domain.Webhooks;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Domain.Webhooks;

public sealed class WebhookEndpointTests
{
    private static readonly DateTimeOffset Now = TestData.Now;

    private static WebhookEndpoint Endpoint() => new()
    {
        Id = "wh_1",
        TenantId = "tenant-1",
        Url = "https://hooks.example.com/",
        EventTypes = ["OrderShipped"],
        Secrets = [new WebhookSecret("whsec_old", Now, ExpiresAt: null)],
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    [Fact]
    public void The_retry_schedule_backs_off_exponentially_over_more_than_a_day_then_stops()
    {
        var delays = Enumerable.Range(1, WebhookRetryPolicy.MaxAttempts).Select(WebhookRetryPolicy.DelayAfter).ToList();

        Assert.Equal(8, WebhookRetryPolicy.MaxAttempts);
        Assert.Null(delays[^1]);
        var waits = delays.Take(WebhookRetryPolicy.MaxAttempts - 1).Select(d => d!.Value).ToList();
        Assert.Equal(waits.Order(), waits);
        Assert.True(waits.Aggregate(TimeSpan.Zero, (a, b) => a + b) > TimeSpan.FromHours(24));
        Assert.Null(WebhookRetryPolicy.DelayAfter(0));
    }

    [Fact]
    public void Consecutive_failures_disable_the_endpoint_at_the_documented_count_and_a_success_resets_the_count()
    {
        var endpoint = Endpoint();
        for (var i = 1; i < WebhookRetryPolicy.DisableAfterConsecutiveFailures; i++)
        {
            endpoint = endpoint.Failed(Now, "http 500");
        }

        var recovered = endpoint.Delivered(Now);
        var disabled = endpoint.Failed(Now.AddMinutes(1), "timeout");

        Assert.True(endpoint.Enabled);
        Assert.Equal((0, true), (recovered.ConsecutiveFailures, recovered.Enabled));
        Assert.Equal((WebhookRetryPolicy.DisableAfterConsecutiveFailures, false, Now.AddMinutes(1)), (disabled.ConsecutiveFailures, disabled.Enabled, disabled.DisabledAt));
        Assert.False(disabled.Wants("OrderShipped"));
        Assert.True(disabled.Reenabled(Now).Wants("OrderShipped"));
        Assert.Equal(0, disabled.Reenabled(Now).ConsecutiveFailures);
    }

    [Fact]
    public void A_rotation_signs_with_both_secrets_during_the_rollover_and_with_the_new_one_after()
    {
        var rotated = Endpoint().Rotated("whsec_new", Now);
        var again = rotated.Rotated("whsec_newest", Now.AddHours(1));

        Assert.Equal(["whsec_new", "whsec_old"], rotated.SigningSecrets(Now.AddHours(23)).Select(s => s.Key));
        Assert.Equal(["whsec_new"], rotated.SigningSecrets(Now.AddHours(24)).Select(s => s.Key));
        // A second rotation within the rollover ends the oldest secret at once: never more than two sign.
        Assert.Equal(["whsec_newest", "whsec_new"], again.SigningSecrets(Now.AddHours(1)).Select(s => s.Key));
    }
}
