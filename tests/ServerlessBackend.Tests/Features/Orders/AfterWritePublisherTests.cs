using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Infrastructure;

namespace ServerlessBackend.Tests.Features.Orders;

/// <summary>Which version a publishing route answers with, given what the publisher reports.</summary>
public sealed class AfterWritePublisherTests
{
    private readonly Mock<IOutboxPublisher> _publisher = new();
    private readonly Versioned<Order> _written = new(TestData.Order("t1"), "\"written\"");

    private AfterWritePublisher Publisher => new(_publisher.Object, NullLogger<AfterWritePublisher>.Instance);

    [Fact]
    public async Task When_only_the_mark_changed_the_order_the_marked_version_is_answered()
    {
        var marked = new Versioned<Order>(_written.Value.WithoutPublished([.. _written.Value.Outbox.Select(e => e.Id)]), "\"marked\"");
        Publishes(marked);

        Assert.Same(marked, await Publisher.PublishAsync(_written, CancellationToken.None));
    }

    [Fact]
    public async Task When_the_order_changed_before_the_mark_the_written_version_is_answered()
    {
        // Fulfillment confirmed it between the send and the mark: that ETag does not describe the written body.
        var confirmed = _written.Value.TransitionTo(OrderStatus.Confirmed, TestData.Now, null, null);
        Publishes(new Versioned<Order>(confirmed.WithoutPublished([.. confirmed.Outbox.Select(e => e.Id)]), "\"confirmed\""));

        Assert.Same(_written, await Publisher.PublishAsync(_written, CancellationToken.None));
    }

    [Fact]
    public async Task When_publishing_throws_the_written_version_is_answered_and_nothing_is_thrown()
    {
        _publisher.Setup(p => p.PublishPendingAsync(_written, It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException("Service Bus is down"));

        Assert.Same(_written, await Publisher.PublishAsync(_written, CancellationToken.None));
    }

    [Fact]
    public async Task Cancellation_is_not_swallowed()
    {
        _publisher.Setup(p => p.PublishPendingAsync(_written, It.IsAny<CancellationToken>())).ThrowsAsync(new OperationCanceledException());

        await Assert.ThrowsAsync<OperationCanceledException>(() => Publisher.PublishAsync(_written, CancellationToken.None));
    }

    private void Publishes(Versioned<Order> result) =>
        _publisher.Setup(p => p.PublishPendingAsync(_written, It.IsAny<CancellationToken>())).ReturnsAsync(result);
}
