using Azure.Messaging.ServiceBus;
using Moq;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// A mocked <see cref="ServiceBusSender"/> that records what the app sends and can fail on demand,
/// and hands sent messages over as the consumers would receive them.
/// </summary>
public sealed class ServiceBusCapture
{
    private readonly List<ServiceBusMessage> _sent = [];
    private int _failuresLeft;

    public ServiceBusCapture()
    {
        Sender
            .Setup(s => s.SendMessagesAsync(It.IsAny<IEnumerable<ServiceBusMessage>>(), It.IsAny<CancellationToken>()))
            .Returns<IEnumerable<ServiceBusMessage>, CancellationToken>((messages, _) => Record(messages));
        Sender
            .Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .Returns<ServiceBusMessage, CancellationToken>((message, _) => Record([message]));
    }

    public Mock<ServiceBusSender> Sender { get; } = new();

    public IReadOnlyList<ServiceBusMessage> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    private Task Record(IEnumerable<ServiceBusMessage> messages)
    {
        lock (_sent)
        {
            if (_failuresLeft > 0)
            {
                _failuresLeft--;
                throw new ServiceBusException("namespace unreachable", ServiceBusFailureReason.ServiceCommunicationProblem);
            }

            _sent.AddRange(messages);
        }

        return Task.CompletedTask;
    }

    /// <summary>The next <paramref name="count"/> sends fail as if the namespace were unreachable.</summary>
    public void FailNext(int count = 1)
    {
        lock (_sent)
        {
            _failuresLeft = count;
        }
    }

    /// <summary>Sent messages of one order with this subject, as a subscription would deliver them.</summary>
    public IReadOnlyList<ServiceBusReceivedMessage> Received(string orderId, string subject) =>
        Sent.Where(m => m.SessionId == orderId && m.Subject == subject).Select(m => Receive(m)).ToList();

    public static ServiceBusReceivedMessage Receive(ServiceBusMessage sent, int deliveryCount = 1)
    {
        ArgumentNullException.ThrowIfNull(sent);
        return ServiceBusModelFactory.ServiceBusReceivedMessage(
            sent.Body, sent.MessageId, sessionId: sent.SessionId, correlationId: sent.CorrelationId, subject: sent.Subject,
            contentType: sent.ContentType, properties: sent.ApplicationProperties, deliveryCount: deliveryCount);
    }
}
