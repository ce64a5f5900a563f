namespace ServerlessBackend.Functions.Domain.Webhooks;

/// <summary>
/// A tenant's webhook endpoint (webhooks container, partition key /tenantId, id = <see cref="Id"/>): where its order
/// events go, which ones, the signing secrets, and the delivery record that disables it after
/// <see cref="WebhookRetryPolicy.DisableAfterConsecutiveFailures"/> failed attempts in a row.
/// </summary>
public sealed record WebhookEndpoint
{
    public required string Id { get; init; }

    public required string TenantId { get; init; }

    public required string Url { get; init; }

    public required IReadOnlyList<string> EventTypes { get; init; }

    public string? Description { get; init; }

    /// <summary>Newest first. More than one only during a rollover: the older ones carry an expiry.</summary>
    public required IReadOnlyList<WebhookSecret> Secrets { get; init; }

    public bool Enabled { get; init; } = true;

    public int ConsecutiveFailures { get; init; }

    public DateTimeOffset? LastSuccessAt { get; init; }

    public DateTimeOffset? LastFailureAt { get; init; }

    /// <summary>What the last failed attempt met: an HTTP status (e.g. "http 500"), "timeout", "refused address" or "connection failed"; never a response body.</summary>
    public string? LastFailure { get; init; }

    public DateTimeOffset? DisabledAt { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The secrets to sign with now: the newest, and any older one whose rollover has not ended.</summary>
    public IReadOnlyList<WebhookSecret> SigningSecrets(DateTimeOffset now) => [.. Secrets.Where(s => s.ExpiresAt is null || s.ExpiresAt > now)];

    public bool Wants(string eventType) => Enabled && EventTypes.Contains(eventType, StringComparer.Ordinal);

    public WebhookEndpoint Delivered(DateTimeOffset now) => this with { ConsecutiveFailures = 0, LastSuccessAt = now, UpdatedAt = now };

    /// <summary>One more failed attempt; the one that reaches the limit disables the endpoint.</summary>
    public WebhookEndpoint Failed(DateTimeOffset now, string failure)
    {
        var failures = ConsecutiveFailures + 1;
        var disable = Enabled && failures >= WebhookRetryPolicy.DisableAfterConsecutiveFailures;
        return this with
        {
            ConsecutiveFailures = failures,
            LastFailureAt = now,
            LastFailure = failure,
            Enabled = Enabled && !disable,
            DisabledAt = disable ? now : DisabledAt,
            UpdatedAt = now,
        };
    }

    /// <summary>Enabled again by an admin: the failure count starts over.</summary>
    public WebhookEndpoint Reenabled(DateTimeOffset now) => this with { Enabled = true, ConsecutiveFailures = 0, DisabledAt = null, UpdatedAt = now };

    /// <summary>
    /// A new newest secret; the previous newest stays valid for <see cref="WebhookRetryPolicy.SecretRollover"/> (or less, if
    /// it already expires sooner), older ones end now. So at most two secrets sign at once.
    /// </summary>
    public WebhookEndpoint Rotated(string newSecret, DateTimeOffset now)
    {
        var signing = SigningSecrets(now);
        var previous = signing.Count > 0 ? signing[0] : null;
        var rollover = now + WebhookRetryPolicy.SecretRollover;
        IReadOnlyList<WebhookSecret> kept = previous is null
            ? []
            : [previous with { ExpiresAt = previous.ExpiresAt is { } ends && ends < rollover ? ends : rollover }];
        return this with { Secrets = [new WebhookSecret(newSecret, now, ExpiresAt: null), .. kept], UpdatedAt = now };
    }
}

/// <summary>A signing secret (<c>whsec_</c> and the base64 of 32 random bytes, as Standard Webhooks shows them) and when it stops signing.</summary>
public sealed record WebhookSecret(string Key, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);
