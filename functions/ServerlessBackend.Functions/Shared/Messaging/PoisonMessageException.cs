namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>
/// A message that can never succeed (malformed, unknown event type, unknown order). Consumers let it
/// propagate like any failure: Service Bus redelivers it and dead-letters it after
/// <see cref="MessagingTopology.MaxDeliveryCount"/> deliveries, and every attempt logs the reason.
/// </summary>
public sealed class PoisonMessageException : Exception
{
    public PoisonMessageException()
    {
    }

    public PoisonMessageException(string message)
        : base(message)
    {
    }

    public PoisonMessageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PoisonMessageException(string? messageId, string reason, Exception? innerException = null)
        : base($"Message {messageId} can never be processed: {reason}", innerException)
    {
        Reason = reason;
    }

    public string? Reason { get; }
}
