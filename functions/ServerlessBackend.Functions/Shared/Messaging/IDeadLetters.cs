namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>
/// The dead-letter sub-queues of the topic's subscriptions, seen by one tenant: messages of other tenants
/// are never listed nor replayed.
/// </summary>
public interface IDeadLetters
{
    /// <summary>Up to <paramref name="maxMessages"/> dead-lettered messages are looked at from <paramref name="fromSequenceNumber"/> on; the tenant's are returned.</summary>
    Task<DeadLetterPage> PeekAsync(string subscription, string tenantId, long fromSequenceNumber, int maxMessages, CancellationToken cancellationToken);

    /// <summary>
    /// Sends the tenant's dead-lettered messages with these sequence numbers back to the topic and removes them
    /// from the dead-letter queue; returns the sequence numbers replayed.
    /// </summary>
    Task<IReadOnlyList<long>> ReplayAsync(string subscription, string tenantId, IReadOnlyCollection<long> sequenceNumbers, CancellationToken cancellationToken);
}

/// <summary>
/// One look at a dead-letter queue. <see cref="NextSequenceNumber"/> continues after the last message looked at
/// (null once a look finds none: Service Bus may return fewer than asked before the end); a page may hold fewer
/// items than were looked at, because other tenants' are left out.
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
