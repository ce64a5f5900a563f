using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;
using Xunit.Abstractions;
using ServerlessBackend.Functions.Features.Catalog;

namespace ServerlessBackend.IntegrationTests.Features.Fulfillment;

/// <summary>Fulfillment over the real Cosmos adapters (Cosmos-protocol server) with a mocked ServiceBusSender.</summary>
public sealed class FulfillmentFunctionTests(CosmosServerFixture cosmos, ITestOutputHelper output) : IClassFixture<CosmosServerFixture>, IDisposable
{
    private readonly Downstream _app = new(cosmos);

    [Fact]
    public async Task A_placed_order_with_stock_has_its_stock_taken_awaits_payment_and_OrderReserved_is_published()
    {
        await _app.StockedAsync("SKU-A", 5);
        await _app.StockedAsync("SKU-B", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2), ("SKU-B", 1), ("SKU-A", 1));

        var outcome = await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);

        Assert.Equal(FulfillmentOutcome.Reserved, outcome);
        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal(OrderStatus.AwaitingPayment, stored.Status);
        Assert.Equal([OrderStatus.Pending, OrderStatus.AwaitingPayment], stored.StatusHistory.Select(h => h.Status));
        Assert.Equal(2, await _app.AvailableAsync("SKU-A"));
        Assert.Equal(4, await _app.AvailableAsync("SKU-B"));
        var confirmed = Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.OrderReserved);
        Assert.Equal($"{order.Id}.OrderReserved", confirmed.MessageId);
        Assert.Equal(order.Id, confirmed.SessionId);
        Assert.Equal(_app.Tenant, confirmed.ApplicationProperties["tenantId"]);
        Assert.Empty(stored.Outbox);
    }

    [Fact]
    public async Task A_redelivered_or_duplicate_OrderPlaced_reserves_nothing_twice()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2));
        var placed = Downstream.Event(order, OrderEventTypes.OrderPlaced);
        await _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None);

        var again = await _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None);

        Assert.Equal(FulfillmentOutcome.AlreadyDone, again);
        Assert.Equal(3, await _app.AvailableAsync("SKU-A"));
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.OrderReserved);
    }

    [Fact]
    public async Task A_reservation_and_a_rejection_count_once_each_by_tenant_and_status_and_their_redeliveries_count_nothing()
    {
        await _app.StockedAsync("SKU-A", 2);
        var confirmed = Downstream.Event(await _app.PlacedAsync(("SKU-A", 2)), OrderEventTypes.OrderPlaced);
        var rejected = Downstream.Event(await _app.PlacedAsync(("SKU-A", 1)), OrderEventTypes.OrderPlaced);

        Assert.Equal(FulfillmentOutcome.Reserved, await _app.FulfillmentFunction.HandleAsync(confirmed, CancellationToken.None));
        Assert.Equal(FulfillmentOutcome.Rejected, await _app.FulfillmentFunction.HandleAsync(rejected, CancellationToken.None));
        Assert.Equal(FulfillmentOutcome.AlreadyDone, await _app.FulfillmentFunction.HandleAsync(confirmed, CancellationToken.None));
        await _app.FulfillmentFunction.HandleAsync(rejected, CancellationToken.None);

        var changes = _app.Metrics.Of("orders.status_changes");
        Assert.Equal(["awaitingPayment", "rejected"], changes.Select(m => m.Tags["order.status"]));
        Assert.All(changes, m => Assert.Equal((1d, _app.Tenant), (m.Value, m.Tags["tenant.id"])));
    }

    [Fact]
    public async Task Short_stock_rejects_the_order_with_a_reason_and_releases_what_it_had_reserved()
    {
        await _app.StockedAsync("SKU-A", 5);
        await _app.StockedAsync("SKU-B", 1);
        var order = await _app.PlacedAsync(("SKU-A", 3), ("SKU-B", 2));

        var outcome = await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);

        Assert.Equal(FulfillmentOutcome.Rejected, outcome);
        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal(OrderStatus.Rejected, stored.Status);
        Assert.Equal("Not enough stock for Product SKU-B.", stored.StatusHistory[^1].Reason);
        Assert.Equal(5, await _app.AvailableAsync("SKU-A"));
        Assert.Equal(1, await _app.AvailableAsync("SKU-B"));
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.OrderRejected);
        Assert.False(await _app.Stock.ReleaseAsync(_app.Tenant, "SKU-A", order.Id, 3, CancellationToken.None));
    }

    [Fact]
    public async Task A_duplicate_delivery_that_reserves_after_a_concurrent_rejection_gives_the_stock_back()
    {
        await _app.StockedAsync("SKU-A", 5);
        await _app.StockedAsync("SKU-B", 1);
        var order = await _app.PlacedAsync(("SKU-A", 2), ("SKU-B", 2));
        var placed = Downstream.Event(order, OrderEventTypes.OrderPlaced);
        _app.Orders.AfterNextGet = async () =>
        {
            // While this delivery holds its Pending snapshot, a duplicate delivery rejects the order (SKU-B short),
            // then an admin restocks SKU-B, so this delivery's reservations all succeed.
            Assert.Equal(FulfillmentOutcome.Rejected, await _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None));
            var b = (await _app.Products.GetAsync(_app.Tenant, "SKU-B", CancellationToken.None))!;
            await _app.Products.SetAsync(_app.Tenant, "SKU-B", new ProductFields(TestData.Now) { AvailableStock = 5 }, b.ETag, CancellationToken.None);
        };

        Assert.Equal(FulfillmentOutcome.AlreadyDone, await _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None));

        Assert.Equal(OrderStatus.Rejected, (await _app.OrderAsync(order.Id)).Status);
        Assert.Equal(5, await _app.AvailableAsync("SKU-A"));
        Assert.Equal(5, await _app.AvailableAsync("SKU-B"));
    }

    [Fact]
    public async Task A_duplicate_delivery_that_finds_stock_short_while_another_confirms_leaves_the_confirmed_order_its_stock()
    {
        await _app.StockedAsync("SKU-A", 5);
        await _app.StockedAsync("SKU-B", 1);
        var order = await _app.PlacedAsync(("SKU-A", 2), ("SKU-B", 2));
        var placed = Downstream.Event(order, OrderEventTypes.OrderPlaced);
        var stock = new StockWithHook(_app.Stock, async (productId, outcome) =>
        {
            if (productId == "SKU-B" && outcome == ReservationOutcome.InsufficientStock)
            {
                // This delivery took SKU-A and found SKU-B short; meanwhile SKU-B is restocked and a duplicate
                // delivery finds SKU-A already reserved for the order, takes SKU-B and confirms.
                var b = (await _app.Products.GetAsync(_app.Tenant, "SKU-B", CancellationToken.None))!;
                await _app.Products.SetAsync(_app.Tenant, "SKU-B", new ProductFields(TestData.Now) { AvailableStock = 5 }, b.ETag, CancellationToken.None);
                Assert.Equal(FulfillmentOutcome.Reserved, await _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None));
            }
        });
        var slow = new ReserveStockHandler(_app.Orders, stock, _app.Transitions, _app.Clock, NullLogger<ReserveStockHandler>.Instance);

        Assert.Equal(FulfillmentOutcome.AlreadyDone, await slow.HandleAsync(placed, CancellationToken.None));

        Assert.Equal(OrderStatus.AwaitingPayment, (await _app.OrderAsync(order.Id)).Status);
        Assert.Equal(3, await _app.AvailableAsync("SKU-A"));
        Assert.Equal(3, await _app.AvailableAsync("SKU-B"));
        Assert.True(await _app.Stock.ReleaseAsync(_app.Tenant, "SKU-A", order.Id, 2, CancellationToken.None));
    }

    [Fact]
    public async Task A_redelivered_OrderPlaced_for_a_rejected_order_gives_back_a_reservation_left_by_a_crash()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2));
        await _app.Stock.ReserveAsync(_app.Tenant, "SKU-A", order.Id, 2, CancellationToken.None);
        var pending = (await _app.Orders.GetAsync(_app.Tenant, order.Id, CancellationToken.None))!;
        await _app.Orders.ReplaceAsync(pending.Value.TransitionTo(OrderStatus.Rejected, TestData.Now, "short", null), pending.ETag, CancellationToken.None);

        Assert.Equal(FulfillmentOutcome.AlreadyDone, await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None));

        Assert.Equal(5, await _app.AvailableAsync("SKU-A"));
    }

    [Fact]
    public async Task A_failure_between_reserving_and_confirming_surfaces_and_the_redelivery_finishes_without_reserving_twice()
    {
        var app = _app;
        app.Orders.FailReplaces = 1;
        await app.StockedAsync("SKU-A", 5);
        await app.StockedAsync("SKU-B", 5);
        var order = await app.PlacedAsync(("SKU-A", 2), ("SKU-B", 3));
        var placed = Downstream.Event(order, OrderEventTypes.OrderPlaced);

        await Assert.ThrowsAsync<IOException>(() => app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None));
        Assert.Equal(OrderStatus.Pending, (await app.OrderAsync(order.Id)).Status);
        var redelivered = await app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None);

        Assert.Equal(FulfillmentOutcome.Reserved, redelivered);
        Assert.Equal(3, await app.AvailableAsync("SKU-A"));
        Assert.Equal(2, await app.AvailableAsync("SKU-B"));
    }

    [Fact]
    public async Task A_cancellation_between_reserving_and_confirming_gives_the_stock_back()
    {
        var app = _app;
        var store = app.Orders;
        await app.StockedAsync("SKU-A", 5);
        var order = await app.PlacedAsync(("SKU-A", 2));
        store.BeforeNextReplace = async () =>
        {
            // The customer cancels while fulfillment is reserving: the confirm then meets a newer ETag.
            var current = (await store.Inner.GetAsync(order.TenantId, order.Id, CancellationToken.None))!;
            await store.Inner.ReplaceAsync(current.Value.TransitionTo(OrderStatus.Cancelled, TestData.Now, null, null), current.ETag, CancellationToken.None);
        };

        var outcome = await app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);

        Assert.Equal(FulfillmentOutcome.AlreadyDone, outcome);
        Assert.Equal(OrderStatus.Cancelled, (await app.OrderAsync(order.Id)).Status);
        Assert.Equal(5, await app.AvailableAsync("SKU-A"));
    }

    [Fact]
    public async Task Cancelling_a_confirmed_order_releases_its_stock_once_however_often_the_event_arrives()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 4));
        await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);
        var confirmed = (await _app.Orders.GetAsync(_app.Tenant, order.Id, CancellationToken.None))!;
        await _app.Orders.ReplaceAsync(confirmed.Value.TransitionTo(OrderStatus.Cancelled, TestData.Now, null, null), confirmed.ETag, CancellationToken.None);
        var cancelled = Downstream.Event(order, OrderEventTypes.OrderCancelled);

        Assert.Equal(FulfillmentOutcome.Released, await _app.FulfillmentFunction.HandleAsync(cancelled, CancellationToken.None));
        Assert.Equal(FulfillmentOutcome.Released, await _app.FulfillmentFunction.HandleAsync(cancelled, CancellationToken.None));

        Assert.Equal(5, await _app.AvailableAsync("SKU-A"));
    }

    [Fact]
    public async Task An_order_cancelled_before_fulfillment_reserves_nothing()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 4));
        var pending = (await _app.Orders.GetAsync(_app.Tenant, order.Id, CancellationToken.None))!;
        await _app.Orders.ReplaceAsync(pending.Value.TransitionTo(OrderStatus.Cancelled, TestData.Now, null, null), pending.ETag, CancellationToken.None);

        Assert.Equal(FulfillmentOutcome.Released, await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderCancelled), CancellationToken.None));
        Assert.Equal(FulfillmentOutcome.AlreadyDone, await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None));

        Assert.Equal(5, await _app.AvailableAsync("SKU-A"));
    }

    [Fact]
    public async Task Shipping_forgets_the_reservation_so_a_late_cancellation_event_cannot_release_it()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2));
        await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);
        var confirmed = (await _app.Orders.GetAsync(_app.Tenant, order.Id, CancellationToken.None))!;
        await _app.Orders.ReplaceAsync(TestData.Advanced(confirmed.Value, OrderStatus.Shipped), confirmed.ETag, CancellationToken.None);

        Assert.Equal(FulfillmentOutcome.Committed, await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderShipped), CancellationToken.None));

        Assert.False(await _app.Stock.ReleaseAsync(_app.Tenant, "SKU-A", order.Id, 2, CancellationToken.None));
        Assert.Equal(3, await _app.AvailableAsync("SKU-A"));
    }

    [Fact]
    public async Task A_payment_rejection_gives_the_reserved_stock_back_once()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2));
        await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);
        await _app.AdvancedAsync(order, OrderEventTypes.OrderRejected);
        var rejected = Downstream.Event(order, OrderEventTypes.OrderRejected);

        Assert.Equal(FulfillmentOutcome.Released, await _app.FulfillmentFunction.HandleAsync(rejected, CancellationToken.None));
        Assert.Equal(FulfillmentOutcome.Released, await _app.FulfillmentFunction.HandleAsync(rejected, CancellationToken.None));

        Assert.Equal(5, await _app.AvailableAsync("SKU-A"));
    }

    [Fact]
    public async Task A_stock_rejection_event_costs_nothing_more_since_the_decision_gave_the_stock_back()
    {
        await _app.StockedAsync("SKU-A", 5);
        await _app.StockedAsync("SKU-B", 1);
        var order = await _app.PlacedAsync(("SKU-A", 3), ("SKU-B", 2));
        Assert.Equal(FulfillmentOutcome.Rejected, await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None));

        Assert.Equal(FulfillmentOutcome.AlreadyDone, await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderRejected), CancellationToken.None));

        Assert.Equal(5, await _app.AvailableAsync("SKU-A"));
        Assert.Equal(1, await _app.AvailableAsync("SKU-B"));
    }

    [Fact]
    public async Task An_OrderRejected_event_for_an_order_that_is_not_rejected_is_a_poison_message()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2));
        await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);

        await Assert.ThrowsAsync<PoisonMessageException>(() => _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderRejected), CancellationToken.None));
        Assert.Equal(3, await _app.AvailableAsync("SKU-A"));
    }

    [Fact]
    public async Task An_OrderShipped_event_for_an_order_that_has_not_shipped_is_a_poison_message_and_keeps_the_reservation()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2));
        await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);

        var ex = await Assert.ThrowsAsync<PoisonMessageException>(() =>
            _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderShipped), CancellationToken.None));

        Assert.Contains("not shipped", ex.Reason, StringComparison.Ordinal);
        Assert.True(await _app.Stock.ReleaseAsync(_app.Tenant, "SKU-A", order.Id, 2, CancellationToken.None));
    }

    [Fact]
    public async Task An_event_naming_another_tenants_order_is_a_poison_message_and_touches_nothing_of_that_tenant()
    {
        var other = new Downstream(cosmos);
        await other.StockedAsync("SKU-A", 5);
        var theirs = await other.PlacedAsync(("SKU-A", 2));
        var forged = Downstream.Event(theirs, OrderEventTypes.OrderPlaced) with { TenantId = _app.Tenant };

        await Assert.ThrowsAsync<PoisonMessageException>(() => _app.FulfillmentFunction.HandleAsync(forged, CancellationToken.None));

        Assert.Equal(OrderStatus.Pending, (await other.OrderAsync(theirs.Id)).Status);
        Assert.Equal(5, await other.AvailableAsync("SKU-A"));
    }

    [Fact]
    public async Task An_event_for_an_order_that_does_not_exist_is_a_poison_message()
    {
        var ex = await Assert.ThrowsAsync<PoisonMessageException>(() =>
            _app.FulfillmentFunction.HandleAsync(new OrderEvent("o-x.OrderPlaced", OrderEventTypes.OrderPlaced, _app.Tenant, "o-x", TestData.Now), CancellationToken.None));

        Assert.Contains("does not exist", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_OrderPlaced_that_resumes_after_the_order_was_confirmed_shipped_and_committed_takes_no_stock()
    {
        await _app.StockedAsync("SKU-A", 5);
        await _app.StockedAsync("SKU-B", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2), ("SKU-B", 1));
        var placed = Downstream.Event(order, OrderEventTypes.OrderPlaced);
        _app.Orders.AfterNextGet = async () =>
        {
            // This delivery has read the order as Pending and lost its lock; a second delivery confirms the order,
            // the admin ships it and OrderShipped is committed, all before this delivery goes on.
            Assert.Equal(FulfillmentOutcome.Reserved, await _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None));
            await TransitionAsync(order, OrderStatus.Shipped);
            Assert.Equal(FulfillmentOutcome.Committed, await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderShipped), CancellationToken.None));
        };

        Assert.Equal(FulfillmentOutcome.AlreadyDone, await _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None));

        Assert.Equal(OrderStatus.Shipped, (await _app.OrderAsync(order.Id)).Status);
        Assert.Equal(3, await _app.AvailableAsync("SKU-A"));
        Assert.Equal(4, await _app.AvailableAsync("SKU-B"));
        Assert.False(await _app.Stock.CommitAsync(_app.Tenant, "SKU-A", order.Id, 2, CancellationToken.None));
        Assert.False(await _app.Stock.CommitAsync(_app.Tenant, "SKU-B", order.Id, 1, CancellationToken.None));
    }

    [Fact]
    public async Task A_stale_OrderPlaced_that_resumes_after_the_tombstones_expired_reads_the_order_again_and_takes_no_stock()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2));
        var placed = Downstream.Event(order, OrderEventTypes.OrderPlaced);
        _app.Orders.AfterNextGet = async () =>
        {
            Assert.Equal(FulfillmentOutcome.Reserved, await _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None));
            await TransitionAsync(order, OrderStatus.Shipped);
            Assert.Equal(FulfillmentOutcome.Committed, await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderShipped), CancellationToken.None));
            // The paused delivery sleeps two horizons; a settlement then reuses the tombstone's slot and empties it.
            _app.Clock.Advance(2 * StockReservation.TombstoneHorizon);
            Assert.Equal(ReservationOutcome.Reserved, await _app.Stock.ReserveAsync(_app.Tenant, "SKU-A", "ord-other", 1, CancellationToken.None));
            Assert.True(await _app.Stock.CommitAsync(_app.Tenant, "SKU-A", "ord-other", 1, CancellationToken.None));
        };

        Assert.Equal(FulfillmentOutcome.AlreadyDone, await _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None));

        Assert.Equal(2, await _app.AvailableAsync("SKU-A"));
        Assert.False(await _app.Stock.CommitAsync(_app.Tenant, "SKU-A", order.Id, 2, CancellationToken.None));
    }

    [Fact]
    public async Task A_reservation_still_in_flight_when_its_order_snapshot_grows_too_old_is_cancelled_and_takes_nothing()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2));
        var stalled = new StockWithHook(_app.Stock, (_, _) => Task.CompletedTask, beforeReserve: () =>
        {
            // The worker stalls between sending the reservation and its arrival.
            _app.Clock.Advance(StockReservation.SnapshotLimit);
            return Task.CompletedTask;
        });
        var slow = new ReserveStockHandler(_app.Orders, stalled, _app.Transitions, _app.Clock, NullLogger<ReserveStockHandler>.Instance);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None));

        Assert.Equal(5, await _app.AvailableAsync("SKU-A"));
        Assert.Equal(OrderStatus.Pending, (await _app.OrderAsync(order.Id)).Status);
    }

    [Fact]
    public async Task A_stale_OrderPlaced_that_resumes_after_a_cancellation_gave_the_stock_back_takes_nothing()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2));
        var placed = Downstream.Event(order, OrderEventTypes.OrderPlaced);
        var cancelled = Downstream.Event(order, OrderEventTypes.OrderCancelled);
        _app.Orders.AfterNextGet = async () =>
        {
            Assert.Equal(FulfillmentOutcome.Reserved, await _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None));
            await TransitionAsync(order, OrderStatus.Cancelled);
            // OrderCancelled delivered twice at once, and a replay of OrderPlaced with them.
            var outcomes = await Task.WhenAll(
                Task.Run(() => _app.FulfillmentFunction.HandleAsync(cancelled, CancellationToken.None)),
                Task.Run(() => _app.FulfillmentFunction.HandleAsync(cancelled, CancellationToken.None)),
                Task.Run(() => _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None)));
            Assert.Equal([FulfillmentOutcome.Released, FulfillmentOutcome.Released, FulfillmentOutcome.AlreadyDone], outcomes);
        };

        Assert.Equal(FulfillmentOutcome.AlreadyDone, await _app.FulfillmentFunction.HandleAsync(placed, CancellationToken.None));
        Assert.Equal(FulfillmentOutcome.Released, await _app.FulfillmentFunction.HandleAsync(cancelled, CancellationToken.None));

        Assert.Equal(5, await _app.AvailableAsync("SKU-A"));
    }

    [Fact]
    public async Task A_stale_OrderPlaced_for_an_order_cancelled_before_it_reserved_gives_back_what_it_took()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 2));
        _app.Orders.AfterNextGet = async () =>
        {
            // Cancelled while Pending: nothing was reserved, so nothing left a tombstone; OrderCancelled is handled.
            await TransitionAsync(order, OrderStatus.Cancelled);
            Assert.Equal(FulfillmentOutcome.Released, await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderCancelled), CancellationToken.None));
        };

        Assert.Equal(FulfillmentOutcome.AlreadyDone, await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None));

        Assert.Equal(5, await _app.AvailableAsync("SKU-A"));
        Assert.False(await _app.Stock.ReleaseAsync(_app.Tenant, "SKU-A", order.Id, 2, CancellationToken.None));
    }

    [Fact]
    public async Task Race_duplicate_and_replayed_deliveries_of_every_step_at_once_take_exactly_the_shipped_stock()
    {
        const int stock = 30;
        await _app.StockedAsync("SKU-A", stock);
        await _app.StockedAsync("SKU-B", stock);
        var orders = new List<Order>();
        for (var i = 0; i < 12; i++)
        {
            orders.Add(await _app.PlacedAsync(("SKU-A", 2), ("SKU-B", 1)));
        }

        await Task.WhenAll(orders.Concat(orders).Select(order =>
            Task.Run(() => _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None))));
        Assert.Equal(stock - 24, await _app.AvailableAsync("SKU-A"));

        // Even orders ship, odd ones are cancelled; each event is delivered twice, with a replayed OrderPlaced, all at once.
        var deliveries = new List<OrderEvent>();
        for (var i = 0; i < orders.Count; i++)
        {
            var next = i % 2 == 0 ? OrderStatus.Shipped : OrderStatus.Cancelled;
            await TransitionAsync(orders[i], next);
            var settling = Downstream.Event(orders[i], next == OrderStatus.Shipped ? OrderEventTypes.OrderShipped : OrderEventTypes.OrderCancelled);
            deliveries.AddRange([settling, settling, Downstream.Event(orders[i], OrderEventTypes.OrderPlaced)]);
        }

        await Task.WhenAll(deliveries.Select(e => Task.Run(() => _app.FulfillmentFunction.HandleAsync(e, CancellationToken.None))));

        Assert.Equal(stock - (6 * 2), await _app.AvailableAsync("SKU-A"));
        Assert.Equal(stock - 6, await _app.AvailableAsync("SKU-B"));
        foreach (var order in orders)
        {
            Assert.False(await _app.Stock.ReleaseAsync(_app.Tenant, "SKU-A", order.Id, 2, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Race_many_orders_for_limited_stock_confirm_exactly_the_stock_and_reject_the_rest()
    {
        const int stock = 6;
        await _app.StockedAsync("SKU-HOT", stock);
        var orders = new List<Order>();
        for (var i = 0; i < 16; i++)
        {
            orders.Add(await _app.PlacedAsync(("SKU-HOT", 1)));
        }

        // Each order's OrderPlaced is delivered twice (a duplicate), and all deliveries run at once.
        var outcomes = await Task.WhenAll(orders.Concat(orders).Select(order =>
            Task.Run(() => _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None))));

        var statuses = new List<OrderStatus>();
        foreach (var order in orders)
        {
            statuses.Add((await _app.OrderAsync(order.Id)).Status);
        }

        output.WriteLine($"outcomes: {string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Key}={g.Count()}"))}");
        Assert.Equal(stock, statuses.Count(s => s == OrderStatus.AwaitingPayment));
        Assert.Equal(orders.Count - stock, statuses.Count(s => s == OrderStatus.Rejected));
        Assert.Equal(0, await _app.AvailableAsync("SKU-HOT"));
        Assert.Equal(stock, _app.Bus.Sent.Count(m => m.Subject == OrderEventTypes.OrderReserved));
    }

    /// <summary>A status change made elsewhere (the admin ships, the customer cancels); the test delivers its event itself.</summary>
    private async Task TransitionAsync(Order order, OrderStatus status)
    {
        var current = (await _app.Orders.Inner.GetAsync(order.TenantId, order.Id, CancellationToken.None))!;
        await _app.Orders.Inner.ReplaceAsync(TestData.Advanced(current.Value, status), current.ETag, CancellationToken.None);
    }

    public void Dispose() => _app.Dispose();
}

/// <summary>The real stock store, running a callback before and after each reservation (points where a concurrent delivery acts, or time passes).</summary>
internal sealed class StockWithHook(IStockStore inner, Func<string, ReservationOutcome, Task> afterReserve, Func<Task>? beforeReserve = null) : IStockStore
{
    public async Task<ReservationOutcome> ReserveAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken)
    {
        if (beforeReserve is not null)
        {
            await beforeReserve();
        }

        var outcome = await inner.ReserveAsync(tenantId, productId, orderId, quantity, cancellationToken);
        await afterReserve(productId, outcome);
        return outcome;
    }

    public Task<bool> ReleaseAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken) =>
        inner.ReleaseAsync(tenantId, productId, orderId, quantity, cancellationToken);

    public Task<bool> ReleaseLeftoverAsync(string tenantId, string productId, string orderId, CancellationToken cancellationToken) =>
        inner.ReleaseLeftoverAsync(tenantId, productId, orderId, cancellationToken);

    public Task<bool> CommitAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken) =>
        inner.CommitAsync(tenantId, productId, orderId, quantity, cancellationToken);

    public Task<bool> ReturnAsync(string tenantId, string productId, string returnKey, int quantity, CancellationToken cancellationToken) =>
        inner.ReturnAsync(tenantId, productId, returnKey, quantity, cancellationToken);
}
