using System.Text.Json.Serialization;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Operations;

/// <summary>POST body of a replay: the sequence numbers of the dead letters to send again (from a list response).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReplayDeadLettersRequest(IReadOnlyList<long>? SequenceNumbers)
{
    public const int MaxMessages = 100;

    public FieldErrors Validate()
    {
        var errors = new FieldErrors();
        if (SequenceNumbers is not { Count: > 0 and <= MaxMessages })
        {
            errors.Add("sequenceNumbers", $"Give from 1 to {MaxMessages} sequence numbers.");
        }
        else if (SequenceNumbers.Any(n => n < 0))
        {
            errors.Add("sequenceNumbers", "Sequence numbers are not negative.");
        }

        return errors;
    }
}

/// <summary>What a replay did: the dead letters sent again, and the requested ones not found (for this tenant).</summary>
public sealed record ReplayDeadLettersResponse(IReadOnlyList<long> Replayed, IReadOnlyList<long> NotFound);

/// <summary>A dead-lettered message as the API shows it (no tenant id: the caller's tenant is implied).</summary>
public sealed record DeadLetterResponse(
    long SequenceNumber, string MessageId, string? EventType, string? OrderId, string? Reason, string? ErrorDescription, int DeliveryCount, DateTimeOffset EnqueuedAt)
{
    public static DeadLetterResponse From(DeadLetteredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(message.SequenceNumber, message.MessageId, message.EventType, message.OrderId,
            message.DeadLetterReason, message.DeadLetterErrorDescription, message.DeliveryCount, message.EnqueuedAt);
    }
}
