using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Tests.Shared.Messaging;

public sealed class OutboxPublisherTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private readonly Mock<ServiceBusSender> _serviceBus = new();
    private readonly List<ServiceBusMessage> _sent = [];
    private readonly InMemoryOutbox _outbox = new();

    public OutboxPublisherTests()
    {
        _serviceBus
            .Setup(s => s.SendMessagesAsync(It.IsAny<IEnumerable<ServiceBusMessage>>(), It.IsAny<CancellationToken>()))
            .Callback<IEnumerable<ServiceBusMessage>, CancellationToken>((messages, _) => _sent.AddRange(messages))
            .Returns(Task.CompletedTask);
    }

    [Fact]
    public async Task Pending_events_are_sent_in_one_batch_to_the_topic_then_marked_published()
    {
        _outbox.Add(Event("o-1", OrderEventTypes.OrderPlaced), Event("o-1", OrderEventTypes.OrderCancelled));

        await Publisher().PublishPendingAsync("tenant-a", "o-1", CancellationToken.None);

        _serviceBus.Verify(s => s.SendMessagesAsync(It.IsAny<IEnumerable<ServiceBusMessage>>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(["o-1.OrderPlaced", "o-1.OrderCancelled"], _sent.Select(m => m.MessageId));
        Assert.All(_sent, m => Assert.Equal("o-1", m.SessionId));
        Assert.Empty(_outbox.Pending("o-1"));
    }

    [Fact]
    public async Task Nothing_pending_sends_nothing()
    {
        var sent = await Publisher().PublishAsync("tenant-a", "o-1", CancellationToken.None);

        Assert.Equal(0, sent);
        _serviceBus.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task A_send_failure_after_the_write_is_logged_not_thrown_and_the_events_stay_pending_for_the_relay()
    {
        _outbox.Add(Event("o-1", OrderEventTypes.OrderPlaced));
        _serviceBus
            .Setup(s => s.SendMessagesAsync(It.IsAny<IEnumerable<ServiceBusMessage>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("namespace unreachable", ServiceBusFailureReason.ServiceCommunicationProblem));

        await Publisher().PublishPendingAsync("tenant-a", "o-1", CancellationToken.None);

        Assert.Equal(["o-1.OrderPlaced"], _outbox.Pending("o-1").Select(e => e.Id));
        await Assert.ThrowsAsync<ServiceBusException>(() => Publisher().PublishAsync("tenant-a", "o-1", CancellationToken.None));
    }

    [Fact]
    public async Task A_crash_between_publish_and_mark_published_republishes_the_same_message_id()
    {
        _outbox.Add(Event("o-1", OrderEventTypes.OrderPlaced));
        _outbox.FailNextMark = true;

        await Assert.ThrowsAsync<IOException>(() => Publisher().PublishAsync("tenant-a", "o-1", CancellationToken.None));
        var republished = await Publisher().PublishAsync("tenant-a", "o-1", CancellationToken.None);

        Assert.Equal(1, republished);
        Assert.Equal(["o-1.OrderPlaced", "o-1.OrderPlaced"], _sent.Select(m => m.MessageId));
        Assert.Empty(_outbox.Pending("o-1"));
    }

    private static OrderEvent Event(string orderId, string type) => new($"{orderId}.{type}", type, "tenant-a", orderId, Now);

    private OutboxPublisher Publisher() =>
        new(_outbox, new ServiceBusOrderEventSender(_serviceBus.Object), NullLogger<OutboxPublisher>.Instance);

    private sealed class InMemoryOutbox : IOrderOutbox
    {
        private readonly List<OrderEvent> _events = [];

        public bool FailNextMark { get; set; }

        public void Add(params OrderEvent[] events) => _events.AddRange(events);

        public List<OrderEvent> Pending(string orderId) => _events.Where(e => e.OrderId == orderId).ToList();

        public Task<IReadOnlyList<OrderEvent>> GetPendingAsync(string tenantId, string orderId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<OrderEvent>>(Pending(orderId));

        public Task MarkPublishedAsync(string tenantId, string orderId, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken)
        {
            if (FailNextMark)
            {
                FailNextMark = false;
                throw new IOException("process crashed before the mark was written");
            }

            _events.RemoveAll(e => eventIds.Contains(e.Id));
            return Task.CompletedTask;
        }
    }
}
