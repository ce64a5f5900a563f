using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>Consumes order events from the fulfillment subscription.</summary>
public sealed partial class FulfillmentFunction(ILogger<FulfillmentFunction> logger)
{
    [Function("Fulfillment")]
    public Task Run(
        [ServiceBusTrigger(MessagingTopology.OrdersTopic, MessagingTopology.FulfillmentSubscription,
            Connection = MessagingTopology.Connection, IsSessionsEnabled = false, AutoCompleteMessages = true)]
        ServiceBusReceivedMessage message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        LogReceived(logger, message.MessageId, message.Subject);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Received message {MessageId} ({Subject})")]
    private static partial void LogReceived(ILogger logger, string messageId, string? subject);
}
