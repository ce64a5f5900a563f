using Azure.Messaging.ServiceBus;
using BenchmarkDotNet.Attributes;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Benchmarks;

/// <summary>An order event on the wire: the publisher's mapping to a message and the consumers' parse and validation.</summary>
[MemoryDiagnoser]
public class OrderEventMessageBenchmarks
{
    private OrderEvent _event = null!;
    private ServiceBusReceivedMessage _received = null!;

    [GlobalSetup]
    public void Setup()
    {
        _event = SampleOrders.Confirmed(SampleOrders.Placed(SampleOrders.TypicalLines));
        var sent = OrderEventMessages.ToMessage(_event);
        _received = ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: sent.Body,
            messageId: sent.MessageId,
            sessionId: sent.SessionId,
            correlationId: sent.CorrelationId,
            subject: sent.Subject,
            contentType: sent.ContentType,
            properties: sent.ApplicationProperties,
            deliveryCount: 1);
    }

    /// <summary>Per published event (after every write and on every relay pass).</summary>
    [Benchmark]
    public ServiceBusMessage ToMessage() => OrderEventMessages.ToMessage(_event);

    /// <summary>Per delivered message, in the fulfillment and email functions.</summary>
    [Benchmark]
    public OrderEvent Parse() => OrderEventMessages.Parse(_received);
}
