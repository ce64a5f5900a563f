using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Features.Outbox;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Outbox;

/// <summary>
/// The relay over the real order adapter. Its work-list query is cross-partition, which the Cosmos-protocol
/// server cannot run, so here the list comes from the same filter scoped to the test's tenant (see
/// <see cref="InterceptingOrderStore"/>); publishing and marking published are the real adapter.
/// </summary>
public sealed class OutboxRelayTests : IClassFixture<CosmosServerFixture>, IDisposable
{
    private readonly Downstream _app;
    private readonly OutboxRelayHandler _relay;

    public OutboxRelayTests(CosmosServerFixture cosmos)
    {
        _app = new Downstream(cosmos);
        _relay = new OutboxRelayHandler(_app.Orders, _app.Outbox, _app.Clock, _app.Metrics.App, NullLogger<OutboxRelayHandler>.Instance);
    }

    [Fact]
    public async Task A_crash_between_the_write_and_the_publish_loses_nothing_the_relay_publishes_it_once()
    {
        // The order was written with OrderPlaced in its outbox and the process died before publishing.
        var order = await _app.PlacedAsync(("SKU-A", 1));

        _app.Clock.Advance(OutboxRelayHandler.Delay - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await _relay.RunAsync(CancellationToken.None));
        _app.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await _relay.RunAsync(CancellationToken.None));
        Assert.Equal(0, await _relay.RunAsync(CancellationToken.None));

        var message = Assert.Single(_app.Bus.Sent);
        Assert.Equal(Order.EventId(order.Id, OrderEventTypes.OrderPlaced), message.MessageId);
        Assert.Equal(OrderEventTypes.OrderPlaced, message.Subject);
        Assert.Empty((await _app.OrderAsync(order.Id)).Outbox);
    }

    [Fact]
    public async Task An_event_pending_since_a_time_ahead_of_the_clock_is_relayed_at_once_not_when_that_time_comes()
    {
        // Written by an instance whose clock was a day ahead, and its publish failed: the relay must not wait a day.
        var order = await PlacedAtAsync(_app.Clock.GetUtcNow().AddDays(1));

        Assert.Equal(1, await _relay.RunAsync(CancellationToken.None));

        Assert.Equal(Order.EventId(order.Id, OrderEventTypes.OrderPlaced), Assert.Single(_app.Bus.Sent).MessageId);
        Assert.Empty((await _app.OrderAsync(order.Id)).Outbox);
    }

    [Fact]
    public async Task An_event_pending_since_a_moment_ahead_within_the_clock_skew_waits_for_the_delay_like_any_other()
    {
        await PlacedAtAsync(_app.Clock.GetUtcNow().AddSeconds(20));

        Assert.Equal(0, await _relay.RunAsync(CancellationToken.None));
        _app.Clock.Advance(OutboxRelayHandler.Delay + TimeSpan.FromSeconds(21));
        Assert.Equal(1, await _relay.RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_send_failure_with_Service_Bus_unreachable_keeps_the_event_pending_without_failing_the_run_and_the_next_run_publishes_it()
    {
        var order = await _app.PlacedAsync(("SKU-A", 1));
        _app.Clock.Advance(OutboxRelayHandler.Delay + TimeSpan.FromSeconds(1));
        _app.Bus.FailNext();

        Assert.Equal(0, await _relay.RunAsync(CancellationToken.None));
        Assert.Single((await _app.OrderAsync(order.Id)).Outbox);
        Assert.Equal(1, await _relay.RunAsync(CancellationToken.None));

        Assert.Single(_app.Bus.Sent);
    }

    [Fact]
    public async Task A_crash_between_publish_and_mark_published_sends_a_duplicate_with_the_same_id_that_fulfillment_absorbs()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2));
        _app.Clock.Advance(OutboxRelayHandler.Delay + TimeSpan.FromSeconds(1));
        _app.Orders.FailNextMarkPublished = true;

        await Assert.ThrowsAsync<AggregateException>(() => _relay.RunAsync(CancellationToken.None));
        Assert.Equal(1, await _relay.RunAsync(CancellationToken.None));
        var copies = _app.Bus.Received(order.Id, OrderEventTypes.OrderPlaced);
        Assert.Equal(2, copies.Count);
        Assert.Single(copies.Select(c => c.MessageId).Distinct());

        // Duplicate detection would drop the copy; if both get through, the consumer's idempotency absorbs it.
        var outcomes = new List<FulfillmentOutcome>();
        foreach (var copy in copies)
        {
            outcomes.Add(await _app.FulfillmentFunction.HandleAsync(OrderEventMessages.Parse(copy), CancellationToken.None));
        }

        Assert.Equal([FulfillmentOutcome.Reserved, FulfillmentOutcome.AlreadyDone], outcomes);
        Assert.Equal(3, await _app.AvailableAsync("SKU-A"));
    }

    [Fact]
    public async Task Each_run_records_how_long_the_oldest_event_it_found_has_been_pending_and_0_when_it_found_none()
    {
        await _app.PlacedAsync(("SKU-A", 1));
        _app.Clock.Advance(TimeSpan.FromSeconds(20));
        await _relay.RunAsync(CancellationToken.None);
        await _app.PlacedAsync(("SKU-B", 1));
        _app.Clock.Advance(TimeSpan.FromSeconds(15));
        _app.Bus.FailNext();
        Assert.Equal(0, await _relay.RunAsync(CancellationToken.None));
        _app.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(2, await _relay.RunAsync(CancellationToken.None));
        await _relay.RunAsync(CancellationToken.None);

        var lag = _app.Metrics.Of("outbox.lag");
        Assert.Equal([0d, 35d, 55d, 0d], lag.Select(m => m.Value));
        Assert.All(lag, m => Assert.Empty(m.Tags));
    }

    public void Dispose() => _app.Dispose();

    /// <summary>An order written with OrderPlaced pending since <paramref name="at"/> (by a writer whose clock read that), never published.</summary>
    private async Task<Order> PlacedAtAsync(DateTimeOffset at)
    {
        var order = Order.Place(
            $"o-{Guid.NewGuid():N}", _app.Tenant, "customer-1", "ann@example.test", [OrderLine.Priced("SKU-A", "Product SKU-A", 1, 2.50m)], "EUR", "hash", at, "corr-1");
        await _app.Orders.CreateAsync(order, CancellationToken.None);
        return order;
    }
}
