namespace ServerlessBackend.Functions.Domain.Webhooks;

/// <summary>
/// When a failed webhook delivery is tried again, and when an endpoint is given up on. The schedule is the one the
/// Standard Webhooks reference deployments use (immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h): eight
/// attempts over about 27.6 hours, so an endpoint down for a day still gets its events.
/// </summary>
public static class WebhookRetryPolicy
{
    private static readonly TimeSpan[] Delays =
    [
        TimeSpan.FromSeconds(5),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2),
        TimeSpan.FromHours(5),
        TimeSpan.FromHours(10),
        TimeSpan.FromHours(10),
    ];

    /// <summary>Attempts of one event to one endpoint; the last one's failure goes to the subscription's dead-letter queue.</summary>
    public static int MaxAttempts => Delays.Length + 1;

    /// <summary>
    /// Failed attempts in a row (any events) after which the endpoint is disabled: 20, so one event that exhausts its
    /// eight attempts never disables it alone, while an endpoint that has failed everything for about a day stops
    /// taking the app's work. An admin enables it again.
    /// </summary>
    public const int DisableAfterConsecutiveFailures = 20;

    /// <summary>How long the previous secret still signs after a rotation.</summary>
    public static readonly TimeSpan SecretRollover = TimeSpan.FromHours(24);

    /// <summary>The wait before attempt <paramref name="failedAttempt"/> + 1; null after the last attempt.</summary>
    public static TimeSpan? DelayAfter(int failedAttempt) =>
        failedAttempt >= 1 && failedAttempt < MaxAttempts ? Delays[failedAttempt - 1] : null;
}
