using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Telemetry;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Shared.Orders;

/// <summary>The one outbox component: send, mark, log a failure once, answer the current version; and the relay's path.</summary>
public sealed class OrderOutboxTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private readonly Mock<ServiceBusSender> _serviceBus = new();
    private readonly List<ServiceBusMessage> _sent = [];
    private readonly InMemoryOrders _outbox = new();

    public OrderOutboxTests()
    {
        _serviceBus
            .Setup(s => s.SendMessagesAsync(It.IsAny<IEnumerable<ServiceBusMessage>>(), It.IsAny<CancellationToken>()))
            .Callback<IEnumerable<ServiceBusMessage>, CancellationToken>((messages, _) => _sent.AddRange(messages))
            .Returns(Task.CompletedTask);
    }

    [Fact]
    public async Task The_written_order_s_pending_events_are_sent_in_one_batch_then_marked_published_without_reading_it_again()
    {
        var written = _outbox.Store("o-1", Event("o-1", OrderEventTypes.OrderPlaced), Event("o-1", OrderEventTypes.OrderCancelled));

        var published = await Publisher().PublishAfterWriteAsync(written, CancellationToken.None);

        _serviceBus.Verify(s => s.SendMessagesAsync(It.IsAny<IEnumerable<ServiceBusMessage>>(), It.IsAny<CancellationToken>()), Times.Once);
        // The order as it stands after the mark, with the mark's ETag: what the route answers with.
        Assert.Equal(_outbox.Current("o-1"), published);
        Assert.NotEqual(written.ETag, published.ETag);
        Assert.Empty(published.Value.Outbox);
        Assert.Equal(["o-1.OrderPlaced", "o-1.OrderCancelled"], _sent.Select(m => m.MessageId));
        Assert.All(_sent, m => Assert.Equal("o-1", m.SessionId));
        Assert.Equal([written.ETag], _outbox.MarkedFrom);
        Assert.Equal(0, _outbox.Reads);
        Assert.Empty(_outbox.Pending("o-1"));
    }

    [Fact]
    public async Task The_relay_path_reads_the_order_once_and_marks_from_that_version()
    {
        var stored = _outbox.Store("o-1", Event("o-1", OrderEventTypes.OrderPlaced));

        var sent = await Publisher().RelayAsync("tenant-a", "o-1", CancellationToken.None);

        Assert.Equal(1, sent);
        Assert.Equal(1, _outbox.Reads);
        Assert.Equal([stored.ETag], _outbox.MarkedFrom);
        Assert.Empty(_outbox.Pending("o-1"));
    }

    [Fact]
    public async Task What_the_relay_logs_of_an_order_and_the_failure_left_to_it_are_in_the_scope_of_the_orders_tenant_and_id()
    {
        // The relay runs under a timer, with no request or message scope around it: the outbox gives each order its own.
        var logs = new FakeLogger<OrderOutbox>();
        _outbox.Store("o-1", Event("o-1", OrderEventTypes.OrderPlaced));
        await new OrderOutbox(_outbox, _serviceBus.Object, logs).RelayAsync("tenant-a", "o-1", CancellationToken.None);
        var failing = _outbox.Store("o-2", Event("o-2", OrderEventTypes.OrderPlaced));
        _serviceBus
            .Setup(s => s.SendMessagesAsync(It.IsAny<IEnumerable<ServiceBusMessage>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("namespace unreachable", ServiceBusFailureReason.ServiceCommunicationProblem));
        await new OrderOutbox(_outbox, _serviceBus.Object, logs).PublishAfterWriteAsync(failing, CancellationToken.None);

        var records = logs.Collector.GetSnapshot();
        Assert.Equal(2, records.Count);
        Assert.All(records.Zip(["o-1", "o-2"]), pair =>
        {
            var scope = Assert.Single(pair.First.Scopes.OfType<IReadOnlyDictionary<string, object>>());
            Assert.Equal("tenant-a", scope[TelemetryTags.TenantId]);
            Assert.Equal(pair.Second, scope[TelemetryTags.OrderId]);
        });
    }

    [Fact]
    public async Task Nothing_pending_or_no_order_sends_nothing()
    {
        _outbox.Store("o-1");

        Assert.Equal(0, await Publisher().RelayAsync("tenant-a", "o-1", CancellationToken.None));
        Assert.Equal(0, await Publisher().RelayAsync("tenant-a", "o-missing", CancellationToken.None));
        _serviceBus.VerifyNoOtherCalls();
        Assert.Empty(_outbox.MarkedFrom);
    }

    [Fact]
    public async Task A_send_failure_after_the_write_is_logged_not_thrown_and_the_events_stay_pending_for_the_relay()
    {
        var written = _outbox.Store("o-1", Event("o-1", OrderEventTypes.OrderPlaced));
        _serviceBus
            .Setup(s => s.SendMessagesAsync(It.IsAny<IEnumerable<ServiceBusMessage>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("namespace unreachable", ServiceBusFailureReason.ServiceCommunicationProblem));

        var answered = await Publisher().PublishAfterWriteAsync(written, CancellationToken.None);

        Assert.Same(written, answered);
        Assert.Equal(written, _outbox.Current("o-1"));
        Assert.Equal(["o-1.OrderPlaced"], _outbox.Pending("o-1").Select(e => e.Id));
        await Assert.ThrowsAsync<ServerlessBackend.Functions.Platform.Hosting.DependencyUnavailableException>(() => Publisher().RelayAsync("tenant-a", "o-1", CancellationToken.None));
    }

    [Fact]
    public async Task A_crash_between_publish_and_mark_published_republishes_the_same_message_id()
    {
        _outbox.Store("o-1", Event("o-1", OrderEventTypes.OrderPlaced));
        _outbox.FailNextMark = true;

        await Assert.ThrowsAsync<IOException>(() => Publisher().RelayAsync("tenant-a", "o-1", CancellationToken.None));
        var republished = await Publisher().RelayAsync("tenant-a", "o-1", CancellationToken.None);

        Assert.Equal(1, republished);
        Assert.Equal(["o-1.OrderPlaced", "o-1.OrderPlaced"], _sent.Select(m => m.MessageId));
        Assert.Empty(_outbox.Pending("o-1"));
    }

    [Fact]
    public async Task A_mark_failure_after_the_send_answers_the_written_version_which_is_still_current()
    {
        var written = _outbox.Store("o-1", Event("o-1", OrderEventTypes.OrderPlaced));
        _outbox.FailNextMark = true;

        var answered = await Publisher().PublishAfterWriteAsync(written, CancellationToken.None);

        Assert.Same(written, answered);
        Assert.Equal(written, _outbox.Current("o-1"));
        Assert.Equal(["o-1.OrderPlaced"], _sent.Select(m => m.MessageId));
    }

    [Fact]
    public async Task Nothing_pending_after_a_write_answers_the_written_version_and_writes_nothing()
    {
        var written = _outbox.Store("o-1");

        Assert.Same(written, await Publisher().PublishAfterWriteAsync(written, CancellationToken.None));
        _serviceBus.VerifyNoOtherCalls();
        Assert.Empty(_outbox.MarkedFrom);
    }

    [Fact]
    public async Task When_the_order_changed_before_the_mark_the_written_version_is_answered()
    {
        // Fulfillment confirmed it between the send and the mark: that ETag does not describe the written body.
        var written = _outbox.Store("o-1", Event("o-1", OrderEventTypes.OrderPlaced));
        _outbox.ChangeBeforeNextMark = order => TestData.Advanced(order, OrderStatus.Confirmed, Now);

        var answered = await Publisher().PublishAfterWriteAsync(written, CancellationToken.None);

        Assert.Same(written, answered);
        Assert.Equal(OrderStatus.Confirmed, _outbox.Current("o-1").Value.Status);
    }

    [Fact]
    public async Task Cancellation_is_not_swallowed()
    {
        var written = _outbox.Store("o-1", Event("o-1", OrderEventTypes.OrderPlaced));
        _serviceBus
            .Setup(s => s.SendMessagesAsync(It.IsAny<IEnumerable<ServiceBusMessage>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new OperationCanceledException());

        await Assert.ThrowsAsync<OperationCanceledException>(() => Publisher().PublishAfterWriteAsync(written, CancellationToken.None));
    }

    private static OrderEvent Event(string orderId, string type) => new($"{orderId}.{type}", type, "tenant-a", orderId, Now);

    private OrderOutbox Publisher() =>
        new(_outbox, _serviceBus.Object, NullLogger<OrderOutbox>.Instance);

    /// <summary>Orders by id with a version counter as ETag; records reads and the versions marks start from. Only what the outbox uses.</summary>
    private sealed class InMemoryOrders : IOrderStore
    {
        private readonly Dictionary<string, Versioned<Order>> _orders = [];
        private int _version;

        public bool FailNextMark { get; set; }

        /// <summary>A concurrent writer's change, applied just before the next mark.</summary>
        public Func<Order, Order>? ChangeBeforeNextMark { get; set; }

        public int Reads { get; private set; }

        public List<string> MarkedFrom { get; } = [];

        public Versioned<Order> Store(string orderId, params OrderEvent[] pending)
        {
            var order = TestData.Order("tenant-a", id: orderId) with { Outbox = pending, OutboxPendingSince = pending.Length == 0 ? null : Now };
            var version = new Versioned<Order>(order, $"\"{++_version}\"");
            _orders[orderId] = version;
            return version;
        }

        public Versioned<Order> Current(string orderId) => _orders[orderId];

        public List<OrderEvent> Pending(string orderId) => [.. _orders[orderId].Value.Outbox];

        public Task<Versioned<Order>?> GetAsync(string tenantId, string orderId, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(_orders.GetValueOrDefault(orderId));
        }

        public Task<Versioned<Order>?> MarkPublishedAsync(Versioned<Order> known, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken)
        {
            if (FailNextMark)
            {
                FailNextMark = false;
                throw new IOException("process crashed before the mark was written");
            }

            if (ChangeBeforeNextMark is { } change)
            {
                ChangeBeforeNextMark = null;
                _orders[known.Value.Id] = new Versioned<Order>(change(_orders[known.Value.Id].Value), $"\"{++_version}\"");
            }

            MarkedFrom.Add(known.ETag);
            var current = _orders[known.Value.Id].Value;
            var marked = new Versioned<Order>(current.WithoutPublished(eventIds), $"\"{++_version}\"");
            _orders[known.Value.Id] = marked;
            return Task.FromResult<Versioned<Order>?>(marked);
        }

        public Task<string> CreateAsync(Order order, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Placement?> GetPlacementAsync(string tenantId, string orderId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CreateRefusalAsync(RefusedPlacement refused, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string> ReplaceAsync(Order order, string ifMatch, AuditEntry? audit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Page<Order>> ListAsync(OrderListQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<OrderRef>> FindWithPendingEventsAsync(DateTimeOffset olderThan, DateTimeOffset laterThan, int maxItems, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
