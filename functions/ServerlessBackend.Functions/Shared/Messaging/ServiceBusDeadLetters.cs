using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;

namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>
/// Dead-letter queues through Azure.Messaging.ServiceBus: a receiver on the subscription's dead-letter
/// sub-queue (peek to list; peek-lock, send, complete to replay) and the app's sender for the topic.
/// A replayed copy goes back to the topic as a new message (<c>{event id}:replay:{sequence number}</c>, so a
/// repeated replay of the same dead letter is dropped by duplicate detection); every subscription whose
/// filter matches receives it again, which the idempotent consumers absorb.
/// </summary>
public sealed partial class ServiceBusDeadLetters(ServiceBusClient client, ServiceBusSender topic, ILogger<ServiceBusDeadLetters> logger) : IDeadLetters
{
    /// <summary>The most dead letters one replay call locks while it looks for the requested ones.</summary>
    public const int ReplayScanLimit = 500;

    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(2);

    /// <summary>How many dead letters one peek asks for while a list looks for the tenant's.</summary>
    public const int PeekBatch = 100;

    // Service Bus unreachable (or timing out, busy) is a DependencyUnavailableException, which the API answers with 503.
    public Task<DeadLetterPage> PeekAsync(string subscription, string tenantId, long fromSequenceNumber, int maxMessages, CancellationToken cancellationToken) =>
        ServiceBusErrors.Translate(() => PeekTranslatedAsync(subscription, tenantId, fromSequenceNumber, maxMessages, cancellationToken));

    public Task<IReadOnlyList<long>> ReplayAsync(string subscription, string tenantId, IReadOnlyCollection<long> sequenceNumbers, CancellationToken cancellationToken) =>
        ServiceBusErrors.Translate(() => ReplayTranslatedAsync(subscription, tenantId, sequenceNumbers, cancellationToken));

    private async Task<DeadLetterPage> PeekTranslatedAsync(string subscription, string tenantId, long fromSequenceNumber, int maxMessages, CancellationToken cancellationToken)
    {
        await using var receiver = client.CreateReceiver(MessagingTopology.OrdersTopic, subscription, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var items = new List<DeadLetteredMessage>();
        var from = fromSequenceNumber;
        while (true)
        {
            var peeked = await receiver.PeekMessagesAsync(PeekBatch, from, cancellationToken);
            // A peek may return fewer messages than asked even when more follow: only an empty one is the end.
            if (peeked.Count == 0)
            {
                return new DeadLetterPage(items, null);
            }

            foreach (var message in peeked.Where(m => IsTenants(m, tenantId)))
            {
                items.Add(Describe(message));
                if (items.Count == maxMessages)
                {
                    // Continues after the last message returned, never after another tenant's: the token tells nothing about them.
                    return new DeadLetterPage(items, message.SequenceNumber + 1);
                }
            }

            from = peeked[^1].SequenceNumber + 1;
        }
    }

    private async Task<IReadOnlyList<long>> ReplayTranslatedAsync(string subscription, string tenantId, IReadOnlyCollection<long> sequenceNumbers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sequenceNumbers);
        await using var receiver = client.CreateReceiver(
            MessagingTopology.OrdersTopic, subscription, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter, ReceiveMode = ServiceBusReceiveMode.PeekLock });
        var wanted = new HashSet<long>(sequenceNumbers);
        var skipped = new List<ServiceBusReceivedMessage>();
        var replayed = new List<long>();
        try
        {
            // Messages that are not wanted stay locked until the end, so the scan never sees one twice.
            while (wanted.Count > 0 && skipped.Count + replayed.Count < ReplayScanLimit)
            {
                var batch = await receiver.ReceiveMessagesAsync(Math.Min(50, ReplayScanLimit - skipped.Count - replayed.Count), ReceiveWait, cancellationToken);
                if (batch.Count == 0)
                {
                    break;
                }

                foreach (var message in batch)
                {
                    if (wanted.Contains(message.SequenceNumber) && IsTenants(message, tenantId))
                    {
                        await topic.SendMessageAsync(ReplayOf(message), cancellationToken);
                        await receiver.CompleteMessageAsync(message, cancellationToken);
                        wanted.Remove(message.SequenceNumber);
                        replayed.Add(message.SequenceNumber);
                    }
                    else
                    {
                        skipped.Add(message);
                    }
                }
            }
        }
        finally
        {
            await GiveBackAsync(receiver, skipped, replayed.Count);
        }

        return replayed;
    }

    /// <summary>
    /// Abandons the messages a replay skipped. A lock lost meanwhile (a long replay) is only logged: the message is
    /// available again once its lock expires, and the replays already done must still be answered.
    /// </summary>
    private async Task GiveBackAsync(ServiceBusReceiver receiver, List<ServiceBusReceivedMessage> skipped, int replayedCount)
    {
        var lost = 0;
        foreach (var message in skipped)
        {
            try
            {
                await receiver.AbandonMessageAsync(message, cancellationToken: CancellationToken.None);
            }
            catch (ServiceBusException ex) when (ex.Reason == ServiceBusFailureReason.MessageLockLost)
            {
                lost++;
            }
        }

        if (lost > 0)
        {
            LogLocksLost(logger, lost, skipped.Count, replayedCount);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay lost the lock of {Lost} of {Skipped} skipped dead letter(s) before giving them back (after replaying {Replayed}); they return to the queue when their locks expire")]
    private static partial void LogLocksLost(ILogger logger, int lost, int skipped, int replayed);

    /// <summary>A new message with the dead letter's body and properties, minus the dead-letter bookkeeping.</summary>
    public static ServiceBusMessage ReplayOf(ServiceBusReceivedMessage deadLetter)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        // Named after the event, not after the dead letter's own id: a replayed copy that fails and is replayed
        // again would otherwise grow its id past Service Bus's 128 characters and could never be replayed.
        var eventId = deadLetter.MessageId.Split(OrderEventMessages.ReplaySuffix)[0];
        var copy = new ServiceBusMessage(deadLetter)
        {
            MessageId = $"{eventId}{OrderEventMessages.ReplaySuffix}{deadLetter.SequenceNumber}",
        };
        copy.ApplicationProperties.Remove("DeadLetterReason");
        copy.ApplicationProperties.Remove("DeadLetterErrorDescription");
        return copy;
    }

    private static bool IsTenants(ServiceBusReceivedMessage message, string tenantId) =>
        message.ApplicationProperties.TryGetValue(OrderEventMessages.TenantIdProperty, out var tenant) && tenant as string == tenantId;

    private static DeadLetteredMessage Describe(ServiceBusReceivedMessage message) => new(
        message.SequenceNumber, message.MessageId, message.Subject, message.SessionId,
        message.DeadLetterReason, message.DeadLetterErrorDescription, message.DeliveryCount, message.EnqueuedTime);
}
