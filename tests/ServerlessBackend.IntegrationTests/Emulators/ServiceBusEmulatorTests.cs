using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Emulators;

/// <summary>
/// The publisher's messages and the dead-letter replay against the real Service Bus emulator (opt-in:
/// SERVICEBUS_EMULATOR_CONNECTION). Each test uses its own tenant and order ids, so leftovers of earlier
/// runs in the shared entities do not matter.
/// </summary>
public sealed class ServiceBusEmulatorTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ServiceBusClient _client = new(ServiceBusEmulatorFactAttribute.ConnectionString ?? "Endpoint=sb://127.0.0.1;SharedAccessKeyName=none;SharedAccessKey=none;UseDevelopmentEmulator=true;");
    private readonly string _tenant = TestData.NewTenant();

    [ServiceBusEmulatorFact]
    public async Task Published_events_reach_their_subscriptions_with_all_properties_and_a_republish_is_dropped_by_duplicate_detection()
    {
        var orderId = $"o-{Guid.NewGuid():N}";
        var placed = new OrderEvent($"{orderId}.OrderPlaced", OrderEventTypes.OrderPlaced, _tenant, orderId, TestData.Now, "corr-1",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        await using var topic = _client.CreateSender(MessagingTopology.OrdersTopic);

        await PublishAsync(topic, placed);
        await PublishAsync(topic, placed);

        var received = await ReceiveAllAsync(MessagingTopology.FulfillmentSubscription, m => m.SessionId == orderId);
        var message = Assert.Single(received);
        Assert.Equal((placed.Id, "OrderPlaced", orderId, "corr-1", "application/json"),
            (message.MessageId, message.Subject, message.SessionId, message.CorrelationId, message.ContentType));
        Assert.Equal(_tenant, message.ApplicationProperties["tenantId"]);
        Assert.Equal(placed.TraceParent, message.ApplicationProperties["traceparent"]);
        Assert.Equal(placed, OrderEventMessages.Parse(message));
    }

    [ServiceBusEmulatorFact]
    public async Task A_dead_lettered_email_event_is_listed_for_its_tenant_only_and_replayed_once()
    {
        var orderId = $"o-{Guid.NewGuid():N}";
        var confirmed = new OrderEvent($"{orderId}.OrderConfirmed", OrderEventTypes.OrderConfirmed, _tenant, orderId, TestData.Now);
        await using var topic = _client.CreateSender(MessagingTopology.OrdersTopic);
        await PublishAsync(topic, confirmed);
        await using (var session = await _client.AcceptSessionAsync(MessagingTopology.OrdersTopic, MessagingTopology.EmailSubscription, orderId))
        {
            var delivered = await session.ReceiveMessageAsync(Wait);
            Assert.NotNull(delivered);
            await session.DeadLetterMessageAsync(delivered, "SmtpDown", "relay refused the connection");
        }

        var deadLetters = new ServiceBusDeadLetters(_client, topic, NullLogger<ServiceBusDeadLetters>.Instance);
        var listed = await FindAsync(deadLetters, _tenant, orderId);
        var foreign = await FindAsync(deadLetters, TestData.NewTenant(), orderId);
        var replayed = await deadLetters.ReplayAsync(MessagingTopology.EmailSubscription, _tenant, [listed!.SequenceNumber], CancellationToken.None);
        var again = await deadLetters.ReplayAsync(MessagingTopology.EmailSubscription, _tenant, [listed.SequenceNumber], CancellationToken.None);

        Assert.Equal(("SmtpDown", "relay refused the connection", "OrderConfirmed"), (listed.DeadLetterReason, listed.DeadLetterErrorDescription, listed.EventType));
        Assert.Null(foreign);
        Assert.Equal([listed.SequenceNumber], replayed);
        Assert.Empty(again);
        await using var replaySession = await _client.AcceptSessionAsync(MessagingTopology.OrdersTopic, MessagingTopology.EmailSubscription, orderId);
        var redelivered = await replaySession.ReceiveMessageAsync(Wait);
        Assert.NotNull(redelivered);
        Assert.Equal($"{confirmed.Id}:replay:{listed.SequenceNumber}", redelivered.MessageId);
        Assert.Equal(confirmed, OrderEventMessages.Parse(redelivered));
        await replaySession.CompleteMessageAsync(redelivered);
        Assert.Null(await FindAsync(deadLetters, _tenant, orderId));
    }

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();

    /// <summary>Publishes the event as the app does: the outbox's relay path, for an order whose outbox holds the event.</summary>
    private static async Task PublishAsync(ServiceBusSender topic, OrderEvent orderEvent)
    {
        var order = TestData.Order(orderEvent.TenantId, id: orderEvent.OrderId) with { Outbox = [orderEvent] };
        var store = new Mock<IOrderStore>();
        store.Setup(s => s.GetAsync(orderEvent.TenantId, orderEvent.OrderId, It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<Order>(order, "\"1\""));
        await new OrderOutbox(store.Object, topic, NullLogger<OrderOutbox>.Instance).RelayAsync(orderEvent.TenantId, orderEvent.OrderId, CancellationToken.None);
    }

    private async Task<List<ServiceBusReceivedMessage>> ReceiveAllAsync(string subscription, Func<ServiceBusReceivedMessage, bool> mine)
    {
        await using var receiver = _client.CreateReceiver(MessagingTopology.OrdersTopic, subscription);
        var found = new List<ServiceBusReceivedMessage>();
        while (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(3)) is { } message)
        {
            await receiver.CompleteMessageAsync(message);
            if (mine(message))
            {
                found.Add(message);
            }
        }

        return found;
    }

    private static async Task<DeadLetteredMessage?> FindAsync(ServiceBusDeadLetters deadLetters, string tenantId, string orderId)
    {
        for (long? from = 0; from is { } next;)
        {
            var page = await deadLetters.PeekAsync(MessagingTopology.EmailSubscription, tenantId, next, 100, CancellationToken.None);
            if (page.Items.FirstOrDefault(m => m.OrderId == orderId) is { } found)
            {
                return found;
            }

            from = page.NextSequenceNumber;
        }

        return null;
    }
}
