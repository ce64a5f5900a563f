using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Time.Testing;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Tests.Support;
using ServerlessBackend.Functions.Features.Catalog;

namespace ServerlessBackend.IntegrationTests.Features.Fulfillment;

/// <summary>Stock reservations against the Cosmos-protocol server: conditional patches (filter predicates) and point reads, for real.</summary>
public sealed class CosmosStockStoreTests : IClassFixture<CosmosServerFixture>, IDisposable
{
    private readonly CosmosServerFixture _cosmos;
    private readonly FakeTimeProvider _clock = new(TestData.Now);
    private readonly CosmosStockStore _stock;
    private readonly CosmosProductStore _products;
    private readonly string _tenant = TestData.NewTenant();
    private readonly MetricsCapture _metrics = new();

    public CosmosStockStoreTests(CosmosServerFixture cosmos)
    {
        _cosmos = cosmos;
        _stock = new(cosmos.Containers, _clock, _metrics.App);
        _products = new(cosmos.Containers);
    }

    [Fact]
    public async Task Reserving_takes_the_stock_once_per_order_in_one_request_and_a_redelivery_takes_nothing()
    {
        var product = await Stocked(10);

        _cosmos.Counter.Reset();
        Assert.Equal(ReservationOutcome.Reserved, await _stock.ReserveAsync(_tenant, product, "o-1", 3, CancellationToken.None));
        Assert.Equal(["PATCH 200"], Sent());
        _cosmos.Counter.Reset();
        Assert.Equal(ReservationOutcome.AlreadyReserved, await _stock.ReserveAsync(_tenant, product, "o-1", 3, CancellationToken.None));
        Assert.Equal(["PATCH 412", "GET 200"], Sent());
        Assert.Equal(ReservationOutcome.Reserved, await _stock.ReserveAsync(_tenant, product, "o-2.x", 2, CancellationToken.None));

        var ledger = await Read(product);
        Assert.Equal(5, ledger.Available);
        Assert.Equal(new Dictionary<string, int> { ["o-1"] = 3, ["o-2.x"] = 2 }, ledger.Reservations);
    }

    [Fact]
    public async Task Short_stock_missing_foreign_and_inactive_products_reserve_nothing()
    {
        var product = await Stocked(2);
        var inactive = await Stocked(50, active: false);

        Assert.Equal(ReservationOutcome.InsufficientStock, await _stock.ReserveAsync(_tenant, product, "o-1", 3, CancellationToken.None));
        Assert.Equal(ReservationOutcome.Unavailable, await _stock.ReserveAsync(_tenant, inactive, "o-1", 1, CancellationToken.None));
        Assert.Equal(ReservationOutcome.Unavailable, await _stock.ReserveAsync(_tenant, "SKU-NOPE", "o-1", 1, CancellationToken.None));
        Assert.Equal(ReservationOutcome.Unavailable, await _stock.ReserveAsync(TestData.NewTenant(), product, "o-1", 1, CancellationToken.None));

        var ledger = await Read(product);
        Assert.Equal(2, ledger.Available);
        Assert.Empty(ledger.Reservations);
        Assert.Empty(ledger.Tombstones);
    }

    [Fact]
    public async Task Releasing_gives_back_exactly_the_reservation_once_in_one_request_and_leaves_a_tombstone()
    {
        var product = await Stocked(10);
        await _stock.ReserveAsync(_tenant, product, "o-1", 4, CancellationToken.None);
        await _stock.ReserveAsync(_tenant, product, "o-2", 1, CancellationToken.None);

        _cosmos.Counter.Reset();
        Assert.True(await _stock.ReleaseAsync(_tenant, product, "o-1", 4, CancellationToken.None));
        Assert.Equal(["PATCH 200"], Sent());
        Assert.False(await _stock.ReleaseAsync(_tenant, product, "o-1", 4, CancellationToken.None));
        Assert.False(await _stock.ReleaseAsync(_tenant, product, "o-never", 1, CancellationToken.None));

        var ledger = await Read(product);
        Assert.Equal(9, ledger.Available);
        Assert.Equal(new Dictionary<string, int> { ["o-2"] = 1 }, ledger.Reservations);
        Assert.Equal(["o-1"], ledger.Tombstones);
    }

    [Fact]
    public async Task Releasing_gives_back_what_the_marker_holds_when_the_caller_names_another_quantity()
    {
        var product = await Stocked(10);
        await _stock.ReserveAsync(_tenant, product, "o-1", 4, CancellationToken.None);

        Assert.True(await _stock.ReleaseAsync(_tenant, product, "o-1", 1, CancellationToken.None));

        Assert.Equal(10, (await Read(product)).Available);
    }

    [Fact]
    public async Task Committing_keeps_the_stock_taken_and_leaves_a_tombstone_in_place_of_the_marker()
    {
        var product = await Stocked(10);
        await _stock.ReserveAsync(_tenant, product, "o-1", 4, CancellationToken.None);

        Assert.True(await _stock.CommitAsync(_tenant, product, "o-1", 4, CancellationToken.None));
        Assert.False(await _stock.CommitAsync(_tenant, product, "o-1", 4, CancellationToken.None));
        Assert.False(await _stock.ReleaseAsync(_tenant, product, "o-1", 4, CancellationToken.None));

        var ledger = await Read(product);
        Assert.Equal(6, ledger.Available);
        Assert.Empty(ledger.Reservations);
        Assert.Equal(["o-1"], ledger.Tombstones);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_settled_order_cannot_reserve_again_within_the_horizon(bool commit)
    {
        var product = await Stocked(10);
        await _stock.ReserveAsync(_tenant, product, "o-1", 4, CancellationToken.None);
        Assert.True(commit
            ? await _stock.CommitAsync(_tenant, product, "o-1", 4, CancellationToken.None)
            : await _stock.ReleaseAsync(_tenant, product, "o-1", 4, CancellationToken.None));
        _clock.Advance(StockReservation.TombstoneHorizon - TimeSpan.FromSeconds(1));

        Assert.Equal(ReservationOutcome.AlreadySettled, await _stock.ReserveAsync(_tenant, product, "o-1", 4, CancellationToken.None));

        var ledger = await Read(product);
        Assert.Equal(commit ? 6 : 10, ledger.Available);
        Assert.Empty(ledger.Reservations);
    }

    [Fact]
    public async Task A_tombstone_is_kept_at_least_one_horizon_and_its_slot_is_emptied_when_reused_two_epochs_later()
    {
        var product = await Stocked(10);
        await SettleAsync(product, "o-1");
        _clock.Advance(StockReservation.TombstoneHorizon);

        _cosmos.Counter.Reset();
        await SettleAsync(product, "o-2");
        // The first settlement of the epoch empties its slot (held the epoch before last): a read and one more patch.
        Assert.Equal(["PATCH 200", "PATCH 412", "GET 200", "PATCH 200"], Sent());
        Assert.Equal(["o-1", "o-2"], (await Read(product)).Tombstones);
        Assert.Equal(ReservationOutcome.AlreadySettled, await _stock.ReserveAsync(_tenant, product, "o-1", 1, CancellationToken.None));

        _clock.Advance(StockReservation.TombstoneHorizon);
        await SettleAsync(product, "o-3");

        Assert.Equal(["o-2", "o-3"], (await Read(product)).Tombstones);
    }

    [Fact]
    public async Task A_slot_stamped_by_a_clock_far_ahead_keeps_its_tombstones_one_horizon_and_is_emptied_on_time_after()
    {
        var product = await Stocked(1_000);
        var ahead = new CosmosStockStore(_cosmos.Containers, new FakeTimeProvider(TestData.Now.AddDays(30)), _metrics.App);
        Assert.Equal(ReservationOutcome.Reserved, await ahead.ReserveAsync(_tenant, product, "o-ahead", 1, CancellationToken.None));
        Assert.True(await ahead.CommitAsync(_tenant, product, "o-ahead", 1, CancellationToken.None));

        // 30 days is an even number of horizons: the slot this clock writes now holds that far epoch.
        await SettleAsync(product, "o-now");
        Assert.Equal(["o-ahead", "o-now"], (await Read(product)).Tombstones);
        _clock.Advance(StockReservation.TombstoneHorizon);
        await SettleAsync(product, "o-next");
        Assert.Equal(ReservationOutcome.AlreadySettled, await _stock.ReserveAsync(_tenant, product, "o-ahead", 1, CancellationToken.None));

        _clock.Advance(StockReservation.TombstoneHorizon);
        await SettleAsync(product, "o-later");

        Assert.Equal(["o-later", "o-next"], (await Read(product)).Tombstones);
    }

    [Fact]
    public async Task A_product_stays_small_however_many_orders_settle_on_it_over_the_epochs()
    {
        var product = await Stocked(1_000);
        var sizes = new List<long>();
        for (var epoch = 0; epoch < 4; epoch++)
        {
            for (var i = 0; i < 60; i++)
            {
                await SettleAsync(product, $"ord-{epoch}-{i:D3}.{new string('f', 24)}");
            }

            var ledger = await Read(product);
            Assert.True(ledger.Tombstones.Count <= 2 * 60, $"epoch {epoch}: {ledger.Tombstones.Count} tombstones");
            sizes.Add(ledger.Bytes);
            _clock.Advance(StockReservation.TombstoneHorizon);
        }

        // 240 orders settled; the document holds the last two epochs' tombstones only, so it stops growing.
        Assert.Equal(sizes[1], sizes[3], tolerance: 64);
        Assert.True(sizes[3] < 16 * 1024, $"{sizes[3]} bytes");
    }

    [Fact]
    public async Task Product_updates_through_the_catalog_keep_the_reservation_ledger()
    {
        var product = await Stocked(10);
        await _stock.ReserveAsync(_tenant, product, "o-1", 4, CancellationToken.None);
        var current = await _products.GetAsync(_tenant, product, CancellationToken.None);

        await _products.SetAsync(_tenant, product, new ProductFields(TestData.Now) { Name = "Renamed", AvailableStock = 20 }, current!.ETag, CancellationToken.None);

        var ledger = await Read(product);
        Assert.Equal(20, ledger.Available);
        Assert.Equal(new Dictionary<string, int> { ["o-1"] = 4 }, ledger.Reservations);
        Assert.True(await _stock.ReleaseAsync(_tenant, product, "o-1", 4, CancellationToken.None));
        Assert.Equal(24, (await Read(product)).Available);
    }

    [Fact]
    public async Task A_product_document_written_before_the_ledger_existed_reserves_releases_and_commits()
    {
        var product = $"SKU-{Guid.NewGuid():N}"[..16];
        await _cosmos.Containers.Products.CreateItemAsync(TestData.Product(_tenant, product, stock: 10), new PartitionKey(_tenant));

        Assert.Equal(ReservationOutcome.Reserved, await _stock.ReserveAsync(_tenant, product, "o-1", 3, CancellationToken.None));
        Assert.Equal(ReservationOutcome.Reserved, await _stock.ReserveAsync(_tenant, product, "o-2", 2, CancellationToken.None));
        Assert.True(await _stock.ReleaseAsync(_tenant, product, "o-1", 3, CancellationToken.None));
        Assert.True(await _stock.CommitAsync(_tenant, product, "o-2", 2, CancellationToken.None));

        var ledger = await Read(product);
        Assert.Equal(8, ledger.Available);
        Assert.Empty(ledger.Reservations);
        Assert.Equal(["o-1", "o-2"], ledger.Tombstones);
    }

    [Fact]
    public async Task Race_many_concurrent_orders_for_limited_stock_sell_exactly_the_stock_with_no_retry_and_never_below_zero()
    {
        const int stock = 7;
        var product = await Stocked(stock);
        var orders = Enumerable.Range(1, 25).Select(i => $"ord-{i}.x").ToList();

        // Every order tries twice at the same time (a duplicate delivery), all at once.
        _cosmos.Counter.Reset();
        var outcomes = await Task.WhenAll(orders.Concat(orders).Select(order =>
            Task.Run(() => _stock.ReserveAsync(_tenant, product, order, 1, CancellationToken.None))));
        var requests = _cosmos.Counter.Requests;

        var ledger = await Read(product);
        Assert.Equal(stock, outcomes.Count(o => o == ReservationOutcome.Reserved));
        Assert.Equal(0, ledger.Available);
        Assert.Equal(stock, ledger.Reservations.Count);
        Assert.All(ledger.Reservations.Values, q => Assert.Equal(1, q));
        Assert.Equal(2 * orders.Count - stock - stock, outcomes.Count(o => o == ReservationOutcome.InsufficientStock));
        // One patch per call, and a read only after a failed condition: nobody tried again.
        Assert.Equal(2 * orders.Count, requests.Count(r => r.Method == "PATCH"));
        Assert.Equal(2 * orders.Count - stock, requests.Count(r => r.Method == "GET"));
    }

    [Fact]
    public async Task Race_duplicate_releases_commits_and_stale_reservations_at_once_give_back_each_release_once_and_take_nothing_again()
    {
        var product = await Stocked(40);
        var orders = Enumerable.Range(1, 20).Select(i => $"ord-{i}.y").ToList();
        foreach (var order in orders)
        {
            Assert.Equal(ReservationOutcome.Reserved, await _stock.ReserveAsync(_tenant, product, order, 2, CancellationToken.None));
        }

        // Even orders are cancelled, odd ones shipped; each settlement arrives twice, and a stale reservation of each order races them.
        var work = orders.SelectMany((order, i) => new Func<Task<object>>[]
        {
            async () => i % 2 == 0 ? await _stock.ReleaseAsync(_tenant, product, order, 2, CancellationToken.None) : await _stock.CommitAsync(_tenant, product, order, 2, CancellationToken.None),
            async () => i % 2 == 0 ? await _stock.ReleaseAsync(_tenant, product, order, 2, CancellationToken.None) : await _stock.CommitAsync(_tenant, product, order, 2, CancellationToken.None),
            async () => await _stock.ReserveAsync(_tenant, product, order, 2, CancellationToken.None),
        }).ToList();
        var results = await Task.WhenAll(work.Select(w => Task.Run(w)));

        var ledger = await Read(product);
        Assert.Equal(40 - (20 * 2) + (10 * 2), ledger.Available);
        Assert.Empty(ledger.Reservations);
        Assert.Equal(orders.Order(StringComparer.Ordinal), ledger.Tombstones);
        Assert.Equal(20, results.Count(r => r is true));
        Assert.All(results.OfType<ReservationOutcome>(), r => Assert.True(r is ReservationOutcome.AlreadyReserved or ReservationOutcome.AlreadySettled, r.ToString()));
    }

    private async Task SettleAsync(string product, string order)
    {
        Assert.Equal(ReservationOutcome.Reserved, await _stock.ReserveAsync(_tenant, product, order, 1, CancellationToken.None));
        Assert.True(await _stock.CommitAsync(_tenant, product, order, 1, CancellationToken.None));
    }

    [Fact]
    public async Task Each_failed_reservation_condition_counts_once_with_the_tenant_and_why_and_a_reservation_taken_or_of_no_product_counts_nothing()
    {
        var product = await Stocked(2);
        var inactive = await Stocked(50, active: false);

        Assert.Equal(ReservationOutcome.Reserved, await _stock.ReserveAsync(_tenant, product, "o-1", 1, CancellationToken.None));
        Assert.Equal(ReservationOutcome.AlreadyReserved, await _stock.ReserveAsync(_tenant, product, "o-1", 1, CancellationToken.None));
        Assert.Equal(ReservationOutcome.InsufficientStock, await _stock.ReserveAsync(_tenant, product, "o-2", 5, CancellationToken.None));
        Assert.Equal(ReservationOutcome.Unavailable, await _stock.ReserveAsync(_tenant, inactive, "o-2", 1, CancellationToken.None));
        Assert.Equal(ReservationOutcome.Unavailable, await _stock.ReserveAsync(_tenant, "SKU-NOPE", "o-2", 1, CancellationToken.None));
        Assert.True(await _stock.ReleaseAsync(_tenant, product, "o-1", 1, CancellationToken.None));
        Assert.Equal(ReservationOutcome.AlreadySettled, await _stock.ReserveAsync(_tenant, product, "o-1", 1, CancellationToken.None));

        var failures = _metrics.Of("stock.reservation.condition_failures");
        Assert.Equal(["alreadyReserved", "insufficientStock", "unavailable", "alreadySettled"], failures.Select(m => m.Tags["reason"]));
        Assert.All(failures, m => Assert.Equal((1d, _tenant), (m.Value, m.Tags["tenant.id"])));
    }

    public void Dispose() => _metrics.Dispose();

    private List<string> Sent() => [.. _cosmos.Counter.Requests.Select(r => $"{r.Method} {r.StatusCode}")];

    private async Task<string> Stocked(int stock, bool active = true)
    {
        var product = TestData.Product(_tenant, stock: stock, active: active);
        await _products.CreateAsync(product, CancellationToken.None);
        return product.Id;
    }

    private async Task<Ledger> Read(string productId)
    {
        using var response = await _cosmos.Containers.Products.ReadItemStreamAsync(productId, new PartitionKey(_tenant));
        using var body = new MemoryStream();
        await response.Content.CopyToAsync(body);
        using var document = JsonDocument.Parse(body.ToArray());
        var root = document.RootElement;
        var tombstones = root.GetProperty("settled").EnumerateArray()
            .SelectMany(slot => slot.GetProperty("orders").EnumerateObject().Select(o => o.Name))
            .Order(StringComparer.Ordinal)
            .ToList();
        return new Ledger(root.GetProperty("availableStock").GetInt32(), root.GetProperty("reservations").Deserialize<Dictionary<string, int>>()!, tombstones, body.Length);
    }

    private sealed record Ledger(int Available, Dictionary<string, int> Reservations, List<string> Tombstones, long Bytes);
}
