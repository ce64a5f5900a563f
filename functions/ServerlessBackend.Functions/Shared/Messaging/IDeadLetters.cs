namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>
/// The dead-letter sub-queues of the topic's subscriptions, seen by one tenant: messages of other tenants
/// are never listed nor replayed.
/// </summary>
public interface IDeadLetters
{
    /// <summary>The tenant's next <paramref name="maxMessages"/> dead-lettered messages from <paramref name="fromSequenceNumber"/> on (other tenants' are passed over).</summary>
    Task<DeadLetterPage> PeekAsync(string subscription, string tenantId, long fromSequenceNumber, int maxMessages, CancellationToken cancellationToken);

    /// <summary>
    /// Sends the tenant's dead-lettered messages with these sequence numbers back to the topic and removes them
    /// from the dead-letter queue; returns the sequence numbers replayed.
    /// </summary>
    Task<IReadOnlyList<long>> ReplayAsync(string subscription, string tenantId, IReadOnlyCollection<long> sequenceNumbers, CancellationToken cancellationToken);
}

/// <summary>
/// One page of a tenant's dead letters. <see cref="NextSequenceNumber"/> continues after the last item of a full
/// page, so it never names another tenant's message; null once the end of the queue is reached.
/// </summary>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetteredMessage> Items, long? NextSequenceNumber);

public sealed record DeadLetteredMessage(
    long SequenceNumber,
    string MessageId,
    string? EventType,
    string? OrderId,
    string? DeadLetterReason,
    string? DeadLetterErrorDescription,
    int DeliveryCount,
    DateTimeOffset EnqueuedAt);
