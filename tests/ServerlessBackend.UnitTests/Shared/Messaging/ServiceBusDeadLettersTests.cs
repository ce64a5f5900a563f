using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Shared.Messaging;

/// <summary>The dead-letter adapter against a mocked client (the emulator suite runs it for real when configured).</summary>
public sealed class ServiceBusDeadLettersTests
{
    private readonly Mock<ServiceBusClient> _client = new();
    private readonly Mock<ServiceBusReceiver> _receiver = new();
    private readonly ServiceBusCapture _topic = new();
    private readonly List<long> _completed = [];
    private readonly List<long> _abandoned = [];
    private readonly Mock<ILogger<ServiceBusDeadLetters>> _logger = new();
    private ServiceBusReceiverOptions? _options;

    public ServiceBusDeadLettersTests()
    {
        _client
            .Setup(c => c.CreateReceiver("orders", "email", It.IsAny<ServiceBusReceiverOptions>()))
            .Callback<string, string, ServiceBusReceiverOptions>((_, _, options) => _options = options)
            .Returns(_receiver.Object);
        _receiver
            .Setup(r => r.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()))
            .Callback<ServiceBusReceivedMessage, CancellationToken>((m, _) => _completed.Add(m.SequenceNumber))
            .Returns(Task.CompletedTask);
        _receiver
            .Setup(r => r.AbandonMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<IDictionary<string, object>>(), It.IsAny<CancellationToken>()))
            .Callback<ServiceBusReceivedMessage, IDictionary<string, object>, CancellationToken>((m, _, _) => _abandoned.Add(m.SequenceNumber))
            .Returns(Task.CompletedTask);
    }

    [Fact]
    public async Task Listing_peeks_the_dead_letter_sub_queue_and_shows_only_the_callers_tenant_to_the_end()
    {
        Peek(10, DeadLetter(10, "tenant-a"), DeadLetter(11, "tenant-b"), DeadLetter(12, "tenant-a"));
        Peek(13);

        var page = await DeadLetters().PeekAsync("email", "tenant-a", 10, 3, CancellationToken.None);

        Assert.Equal(SubQueue.DeadLetter, _options!.SubQueue);
        Assert.Equal([10L, 12L], page.Items.Select(i => i.SequenceNumber));
        Assert.Null(page.NextSequenceNumber);
        var first = page.Items[0];
        Assert.Equal(("o-10.OrderConfirmed", "OrderConfirmed", "o-10", "MaxDeliveryCountExceeded", "smtp down", 5),
            (first.MessageId, first.EventType, first.OrderId, first.DeadLetterReason, first.DeadLetterErrorDescription, first.DeliveryCount));
    }

    [Fact]
    public async Task A_full_page_continues_after_its_last_item_not_after_another_tenants_message_so_the_next_page_misses_nothing()
    {
        Peek(10, DeadLetter(10, "tenant-a"), DeadLetter(11, "tenant-b"), DeadLetter(12, "tenant-a"), DeadLetter(13, "tenant-b"), DeadLetter(14, "tenant-a"));
        Peek(13, DeadLetter(13, "tenant-b"), DeadLetter(14, "tenant-a"));
        Peek(15);

        var first = await DeadLetters().PeekAsync("email", "tenant-a", 10, 2, CancellationToken.None);
        var second = await DeadLetters().PeekAsync("email", "tenant-a", first.NextSequenceNumber!.Value, 2, CancellationToken.None);

        Assert.Equal([10L, 12L], first.Items.Select(i => i.SequenceNumber));
        Assert.Equal(13, first.NextSequenceNumber);
        Assert.Equal([14L], second.Items.Select(i => i.SequenceNumber));
        Assert.Null(second.NextSequenceNumber);
    }

    [Fact]
    public async Task Only_other_tenants_messages_or_a_short_peek_do_not_end_the_page_before_the_queue_ends()
    {
        Peek(0, DeadLetter(1, "tenant-b"), DeadLetter(2, "tenant-b"));
        Peek(3, DeadLetter(3, "tenant-a"));
        Peek(4);

        var page = await DeadLetters().PeekAsync("email", "tenant-a", 0, 50, CancellationToken.None);

        Assert.Equal([3L], page.Items.Select(i => i.SequenceNumber));
        Assert.Null(page.NextSequenceNumber);
    }

    [Fact]
    public async Task An_empty_peek_is_the_end_of_the_queue()
    {
        Peek(2);

        var page = await DeadLetters().PeekAsync("email", "tenant-a", 2, 50, CancellationToken.None);

        Assert.Empty(page.Items);
        Assert.Null(page.NextSequenceNumber);
    }

    [Fact]
    public async Task Replay_resends_the_requested_tenant_messages_completes_them_and_leaves_everything_else_dead_lettered()
    {
        _receiver
            .SetupSequence(r => r.ReceiveMessagesAsync(It.IsAny<int>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync([DeadLetter(1, "tenant-a"), DeadLetter(2, "tenant-b"), DeadLetter(3, "tenant-a")])
            .ReturnsAsync([DeadLetter(4, "tenant-a")])
            .ReturnsAsync([]);

        var replayed = await DeadLetters().ReplayAsync("email", "tenant-a", [2, 3, 4], CancellationToken.None);

        Assert.Equal([3L, 4L], replayed);
        Assert.Equal([3L, 4L], _completed);
        Assert.Equal([1L, 2L], _abandoned);
        Assert.Equal(["o-3.OrderConfirmed:replay:3", "o-4.OrderConfirmed:replay:4"], _topic.Sent.Select(m => m.MessageId));
    }

    [Fact]
    public async Task A_lock_lost_before_the_skipped_messages_are_given_back_is_logged_and_the_replays_done_are_answered()
    {
        _receiver
            .SetupSequence(r => r.ReceiveMessagesAsync(It.IsAny<int>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync([DeadLetter(1, "tenant-a"), DeadLetter(2, "tenant-b"), DeadLetter(3, "tenant-a")])
            .ReturnsAsync([]);
        _receiver
            .Setup(r => r.AbandonMessageAsync(It.Is<ServiceBusReceivedMessage>(m => m.SequenceNumber == 1), It.IsAny<IDictionary<string, object>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("lock lost", ServiceBusFailureReason.MessageLockLost));
        _logger.Setup(l => l.IsEnabled(It.IsAny<LogLevel>())).Returns(true);

        var replayed = await DeadLetters().ReplayAsync("email", "tenant-a", [3, 4], CancellationToken.None);

        Assert.Equal([3L], replayed);
        Assert.Equal([3L], _completed);
        Assert.Equal([2L], _abandoned);
        _logger.Verify(
            l => l.Log(LogLevel.Warning, It.IsAny<EventId>(), It.Is<It.IsAnyType>((state, _) => state.ToString()!.Contains("lost the lock of 1 of 2", StringComparison.Ordinal)), null, It.IsAny<Func<It.IsAnyType, Exception?, string>>()),
            Times.Once);
    }

    [Fact]
    public async Task Another_failure_to_give_back_a_skipped_message_still_fails_the_replay()
    {
        _receiver
            .SetupSequence(r => r.ReceiveMessagesAsync(It.IsAny<int>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync([DeadLetter(1, "tenant-b")])
            .ReturnsAsync([]);
        _receiver
            .Setup(r => r.AbandonMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<IDictionary<string, object>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("busy", ServiceBusFailureReason.ServiceBusy));

        await Assert.ThrowsAsync<ServerlessBackend.Functions.Platform.Hosting.DependencyUnavailableException>(() => DeadLetters().ReplayAsync("email", "tenant-a", [1], CancellationToken.None));
        Assert.Empty(_completed);
    }

    [Fact]
    public void A_replayed_copy_keeps_body_subject_session_and_properties_and_consumers_accept_its_id()
    {
        var deadLetter = DeadLetter(7, "tenant-a");

        var copy = ServiceBusDeadLetters.ReplayOf(deadLetter);

        Assert.NotNull(copy);
        Assert.Equal("o-7.OrderConfirmed:replay:7", copy.MessageId);
        Assert.Equal(("OrderConfirmed", "o-7", "application/json", "tenant-a"), (copy.Subject, copy.SessionId, copy.ContentType, copy.ApplicationProperties["tenantId"]));
        Assert.False(copy.ApplicationProperties.ContainsKey("DeadLetterReason"));
        Assert.Equal("o-7.OrderConfirmed", OrderEventMessages.Parse(ServiceBusCapture.Receive(copy)).Id);
    }

    [Fact]
    public void A_copy_of_a_replayed_copy_is_named_after_the_event_so_its_message_id_stays_within_the_service_bus_limit()
    {
        var deadLetter = DeadLetter(7, "tenant-a");
        for (var replay = 0; replay < 5; replay++)
        {
            // Each replayed copy failed again and was dead-lettered with a new, large sequence number.
            var copy = ServiceBusDeadLetters.ReplayOf(deadLetter);
            deadLetter = ServiceBusModelFactory.ServiceBusReceivedMessage(
                copy.Body, copy.MessageId, sessionId: copy.SessionId, subject: copy.Subject, contentType: copy.ContentType,
                properties: copy.ApplicationProperties, sequenceNumber: long.MaxValue - replay);
        }

        var last = ServiceBusDeadLetters.ReplayOf(deadLetter);

        Assert.Equal($"o-7.OrderConfirmed:replay:{long.MaxValue - 4}", last.MessageId);
        Assert.Equal("o-7.OrderConfirmed", OrderEventMessages.Parse(ServiceBusCapture.Receive(last)).Id);
    }

    private void Peek(long fromSequenceNumber, params ServiceBusReceivedMessage[] messages) =>
        _receiver.Setup(r => r.PeekMessagesAsync(ServiceBusDeadLetters.PeekBatch, fromSequenceNumber, It.IsAny<CancellationToken>())).ReturnsAsync(messages);

    private ServiceBusDeadLetters DeadLetters() => new(_client.Object, _topic.Sender.Object, _logger.Object);

    private static ServiceBusReceivedMessage DeadLetter(long sequenceNumber, string tenantId)
    {
        var orderId = $"o-{sequenceNumber}";
        var sent = OrderEventMessages.ToMessage(new OrderEvent($"{orderId}.OrderConfirmed", OrderEventTypes.OrderConfirmed, tenantId, orderId, TestData.Now));
        var properties = new Dictionary<string, object>(sent.ApplicationProperties)
        {
            ["DeadLetterReason"] = "MaxDeliveryCountExceeded",
            ["DeadLetterErrorDescription"] = "smtp down",
        };
        return ServiceBusModelFactory.ServiceBusReceivedMessage(
            sent.Body, sent.MessageId, sessionId: sent.SessionId, subject: sent.Subject, contentType: sent.ContentType,
            properties: properties, deliveryCount: 5, sequenceNumber: sequenceNumber, enqueuedTime: TestData.Now);
    }
}
