using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Tests.Infrastructure;

namespace ServerlessBackend.Tests.Features.Fulfillment;

/// <summary>Stock reservations against the Cosmos-protocol server: point reads and ETag-conditional patches, for real.</summary>
[Collection(CosmosServerCollection.Name)]
public sealed class CosmosStockStoreTests(CosmosServerFixture cosmos)
{
    private readonly CosmosStockStore _stock = new(cosmos.Containers);
    private readonly CosmosProductStore _products = new(cosmos.Containers);
    private readonly string _tenant = TestData.NewTenant();

    [Fact]
    public async Task Reserving_takes_the_stock_once_per_order_and_a_redelivery_takes_nothing()
    {
        var product = await Stocked(10);

        Assert.Equal(ReservationOutcome.Reserved, await _stock.ReserveAsync(_tenant, product, "o-1", 3, CancellationToken.None));
        Assert.Equal(ReservationOutcome.AlreadyReserved, await _stock.ReserveAsync(_tenant, product, "o-1", 3, CancellationToken.None));
        Assert.Equal(ReservationOutcome.Reserved, await _stock.ReserveAsync(_tenant, product, "o-2", 2, CancellationToken.None));

        var (available, reservations) = await Read(product);
        Assert.Equal(5, available);
        Assert.Equal(new Dictionary<string, int> { ["o-1"] = 3, ["o-2"] = 2 }, reservations);
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

        var (available, reservations) = await Read(product);
        Assert.Equal(2, available);
        Assert.Null(reservations);
    }

    [Fact]
    public async Task Releasing_gives_back_exactly_the_reservation_once()
    {
        var product = await Stocked(10);
        await _stock.ReserveAsync(_tenant, product, "o-1", 4, CancellationToken.None);
        await _stock.ReserveAsync(_tenant, product, "o-2", 1, CancellationToken.None);

        Assert.True(await _stock.ReleaseAsync(_tenant, product, "o-1", CancellationToken.None));
        Assert.False(await _stock.ReleaseAsync(_tenant, product, "o-1", CancellationToken.None));
        Assert.False(await _stock.ReleaseAsync(_tenant, product, "o-never", CancellationToken.None));

        var (available, reservations) = await Read(product);
        Assert.Equal(9, available);
        Assert.Equal(new Dictionary<string, int> { ["o-2"] = 1 }, reservations);
    }

    [Fact]
    public async Task Committing_forgets_the_marker_and_keeps_the_stock_taken()
    {
        var product = await Stocked(10);
        await _stock.ReserveAsync(_tenant, product, "o-1", 4, CancellationToken.None);

        Assert.True(await _stock.CommitAsync(_tenant, product, "o-1", CancellationToken.None));
        Assert.False(await _stock.CommitAsync(_tenant, product, "o-1", CancellationToken.None));
        Assert.False(await _stock.ReleaseAsync(_tenant, product, "o-1", CancellationToken.None));

        var (available, reservations) = await Read(product);
        Assert.Equal(6, available);
        Assert.Empty(reservations!);
    }

    [Fact]
    public async Task Product_updates_through_the_catalog_keep_the_reservation_markers()
    {
        var product = await Stocked(10);
        await _stock.ReserveAsync(_tenant, product, "o-1", 4, CancellationToken.None);
        var current = await _products.GetAsync(_tenant, product, CancellationToken.None);

        await _products.SetAsync(_tenant, product, new ProductFields(TestData.Now) { Name = "Renamed", AvailableStock = 20 }, current!.ETag, CancellationToken.None);

        var (available, reservations) = await Read(product);
        Assert.Equal(20, available);
        Assert.Equal(new Dictionary<string, int> { ["o-1"] = 4 }, reservations);
        Assert.True(await _stock.ReleaseAsync(_tenant, product, "o-1", CancellationToken.None));
        Assert.Equal(24, (await Read(product)).Available);
    }

    [Fact]
    public async Task Race_many_concurrent_orders_for_limited_stock_sell_exactly_the_stock_and_never_below_zero()
    {
        const int stock = 7;
        var product = await Stocked(stock);
        var orders = Enumerable.Range(1, 25).Select(i => $"o-{i}").ToList();

        // Every order tries twice at the same time (a duplicate delivery), all at once.
        var outcomes = await Task.WhenAll(orders.Concat(orders).Select(order =>
            Task.Run(() => _stock.ReserveAsync(_tenant, product, order, 1, CancellationToken.None))));

        var (available, reservations) = await Read(product);
        Assert.Equal(stock, outcomes.Count(o => o == ReservationOutcome.Reserved));
        Assert.Equal(0, available);
        Assert.Equal(stock, reservations!.Count);
        Assert.All(reservations.Values, q => Assert.Equal(1, q));
        Assert.Equal(2 * orders.Count - stock - stock, outcomes.Count(o => o == ReservationOutcome.InsufficientStock));
    }

    private async Task<string> Stocked(int stock, bool active = true)
    {
        var product = TestData.Product(_tenant, stock: stock, active: active);
        await _products.CreateAsync(product, CancellationToken.None);
        return product.Id;
    }

    private async Task<(int Available, Dictionary<string, int>? Reservations)> Read(string productId)
    {
        using var response = await cosmos.Containers.Products.ReadItemStreamAsync(productId, new PartitionKey(_tenant));
        using var document = await JsonDocument.ParseAsync(response.Content);
        var root = document.RootElement;
        return (root.GetProperty("availableStock").GetInt32(),
            root.TryGetProperty("reservations", out var r) ? r.Deserialize<Dictionary<string, int>>() : null);
    }
}
