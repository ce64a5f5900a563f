using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Time.Testing;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;
using ServerlessBackend.Functions.Features.Catalog;

namespace ServerlessBackend.IntegrationTests.Emulators;

/// <summary>
/// What the Cosmos-protocol server cannot do, against the official emulator (opt-in, COSMOS_EMULATOR_ENDPOINT):
/// ORDER BY with continuation tokens, cross-partition queries, point-read 404s across partitions, the
/// indexing policy as created, and the orders list paged through the HTTP function; and the stock reservations'
/// conditional patches on Cosmos itself (the local server's predicate evaluation is a fix of ours).
/// </summary>
public sealed class CosmosEmulatorTests(CosmosEmulatorFixture emulator) : IClassFixture<CosmosEmulatorFixture>
{
    private CosmosOrderStore Store => new(emulator.Containers);

    [CosmosEmulatorFact]
    public async Task Stock_reservations_take_one_conditional_patch_each_and_a_settled_order_never_reserves_again()
    {
        var tenant = TestData.NewTenant();
        var clock = new FakeTimeProvider(TestData.Now);
        var stock = new CosmosStockStore(emulator.Containers, clock, MetricsCapture.Unobserved);
        var product = TestData.Product(tenant, stock: 5);
        await new CosmosProductStore(emulator.Containers).CreateAsync(product, CancellationToken.None);
        var orders = Enumerable.Range(1, 12).Select(i => $"ord-{i}.a").ToList();

        emulator.Counter.Reset();
        var outcomes = await Task.WhenAll(orders.Select(o => Task.Run(() => stock.ReserveAsync(tenant, product.Id, o, 1, CancellationToken.None))));

        Assert.Equal(5, outcomes.Count(o => o == ReservationOutcome.Reserved));
        Assert.Equal(7, outcomes.Count(o => o == ReservationOutcome.InsufficientStock));
        Assert.Equal(12, emulator.Counter.Requests.Count(r => r.Method == "PATCH"));
        var held = orders.Where((_, i) => outcomes[i] == ReservationOutcome.Reserved).ToList();
        Assert.True(await stock.ReleaseAsync(tenant, product.Id, held[0], 1, CancellationToken.None));
        Assert.False(await stock.ReleaseAsync(tenant, product.Id, held[0], 1, CancellationToken.None));
        Assert.True(await stock.CommitAsync(tenant, product.Id, held[1], 1, CancellationToken.None));
        Assert.Equal(ReservationOutcome.AlreadySettled, await stock.ReserveAsync(tenant, product.Id, held[0], 1, CancellationToken.None));
        Assert.Equal(ReservationOutcome.AlreadySettled, await stock.ReserveAsync(tenant, product.Id, held[1], 1, CancellationToken.None));
        Assert.Equal(ReservationOutcome.AlreadyReserved, await stock.ReserveAsync(tenant, product.Id, held[2], 1, CancellationToken.None));
        clock.Advance(2 * StockReservation.TombstoneHorizon);
        Assert.True(await stock.CommitAsync(tenant, product.Id, held[2], 1, CancellationToken.None));
        Assert.Equal(1, (await new CosmosProductStore(emulator.Containers).GetAsync(tenant, product.Id, CancellationToken.None))!.Value.AvailableStock);
    }

    /// <summary>The audit trail on Cosmos itself: a batch refused by a stale ETag writes nothing; the audit query's TOP, ORDER BY id and filters run as written.</summary>
    [CosmosEmulatorFact]
    public async Task An_audited_patch_is_all_or_nothing_and_the_audit_log_reads_it_newest_first()
    {
        var tenant = TestData.NewTenant();
        var products = new CosmosProductStore(emulator.Containers);
        var product = TestData.Product(tenant, stock: 3);
        var etag = await products.CreateAsync(product, CancellationToken.None);
        var fields = new ProductFields(TestData.Now) { AvailableStock = 9 };

        var patched = await products.SetAsync(tenant, product.Id, fields, etag, AuditTrails.Entry(tenant, "product", product.Id), CancellationToken.None);
        await Assert.ThrowsAsync<DocumentPreconditionFailedException>(() =>
            products.SetAsync(tenant, product.Id, fields with { AvailableStock = 1 }, etag, AuditTrails.Entry(tenant, "product", product.Id), CancellationToken.None));
        var log = new Functions.Shared.Audit.CosmosAuditLog(emulator.Containers);
        var first = await log.ListAsync(new(tenant, "product", product.Id, null, null, 1, null), CancellationToken.None);
        var second = await log.ListAsync(new(tenant, "product", product.Id, null, null, 1, first.ContinuationToken), CancellationToken.None);
        var third = await log.ListAsync(new(tenant, "product", product.Id, null, null, 1, second.ContinuationToken), CancellationToken.None);

        Assert.Equal(9, patched.Value.AvailableStock);
        Assert.Equal(9, (await products.GetAsync(tenant, product.Id, CancellationToken.None))!.Value.AvailableStock);
        Assert.Equal(2, first.Items.Count + second.Items.Count + third.Items.Count);
        Assert.True(string.CompareOrdinal(first.Items[0].Id, second.Items[0].Id) > 0);
        Assert.Null(third.ContinuationToken);
    }

    [CosmosEmulatorFact]
    public async Task A_product_document_without_the_ledger_gets_it_from_its_first_reservation()
    {
        var tenant = TestData.NewTenant();
        var stock = new CosmosStockStore(emulator.Containers, new FakeTimeProvider(TestData.Now), MetricsCapture.Unobserved);
        var product = TestData.Product(tenant, stock: 3);
        await emulator.Containers.Products.CreateItemAsync(product, new PartitionKey(tenant));

        Assert.Equal(ReservationOutcome.Reserved, await stock.ReserveAsync(tenant, product.Id, "ord-1", 2, CancellationToken.None));
        Assert.True(await stock.ReleaseAsync(tenant, product.Id, "ord-1", 2, CancellationToken.None));
        Assert.Equal(ReservationOutcome.AlreadySettled, await stock.ReserveAsync(tenant, product.Id, "ord-1", 2, CancellationToken.None));
    }

    [CosmosEmulatorFact]
    public async Task Orders_page_newest_first_across_continuation_tokens()
    {
        var tenant = TestData.NewTenant();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var order = TestData.Order(tenant, "alice", at: TestData.Now.AddMinutes(i));
            await Store.CreateAsync(order, CancellationToken.None);
            ids.Add(order.Id);
        }

        await Store.CreateAsync(TestData.Order(tenant, "bob", at: TestData.Now.AddMinutes(10)), CancellationToken.None);

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Store.ListAsync(new OrderListQuery(tenant, "alice", null, 2, token), CancellationToken.None);
            seen.AddRange(page.Items.Select(o => o.Id));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(Enumerable.Reverse(ids), seen);
        Assert.Equal(3, pages);
    }

    [CosmosEmulatorFact]
    public async Task Every_orders_list_filter_pages_newest_first_on_its_composite_index()
    {
        // An ORDER BY on several properties fails on Cosmos DB without a matching composite index.
        var tenant = TestData.NewTenant();
        var orders = new List<Order>();
        for (var i = 0; i < 6; i++)
        {
            var order = TestData.Order(tenant, i % 2 == 0 ? "alice" : "bob", at: TestData.Now.AddMinutes(i));
            orders.Add(i % 3 == 0 ? order.TransitionTo(OrderStatus.Cancelled, TestData.Now.AddMinutes(i), null, null) : order);
            await Store.CreateAsync(orders[^1], CancellationToken.None);
        }

        foreach (var (customer, status) in new (string?, OrderStatus?)[] { (null, null), ("alice", null), (null, OrderStatus.Pending), ("alice", OrderStatus.Pending) })
        {
            var seen = new List<string>();
            string? token = null;
            var pages = 0;
            do
            {
                var page = await Store.ListAsync(new OrderListQuery(tenant, customer, status, 2, token), CancellationToken.None);
                seen.AddRange(page.Items.Select(o => o.Id));
                token = page.ContinuationToken;
                pages++;
            }
            while (token is not null && pages < 10);

            var expected = Enumerable.Reverse(orders)
                .Where(o => customer is null || o.CustomerId == customer)
                .Where(o => status is null || o.Status == status)
                .Select(o => o.Id)
                .ToList();
            Assert.Equal(expected, seen);
            Assert.True(expected.Count <= 2 || pages > 1, "more than one page of 2 must have used a continuation token");
        }
    }

    [CosmosEmulatorFact]
    public async Task The_orders_route_pages_through_the_api_with_opaque_tokens()
    {
        var api = new ApiTestHost(emulator.Containers);
        var tenant = new TestTenant();
        for (var i = 0; i < 3; i++)
        {
            await Store.CreateAsync(TestData.Order(tenant.Id, "alice", at: TestData.Now.AddMinutes(i)), CancellationToken.None);
        }

        var first = await api.SendAsync("GET", "/api/v1/orders?pageSize=2", api.Orders.Orders, tenant.Alice);
        var token = first.Json.GetProperty("continuationToken").GetString();
        var second = await api.SendAsync("GET", $"/api/v1/orders?pageSize=2&continuationToken={token}", api.Orders.Orders, tenant.Alice);
        var tampered = await api.SendAsync("GET", $"/api/v1/orders?pageSize=2&continuationToken={token}x", api.Orders.Orders, tenant.Alice);

        Assert.Equal(2, first.Json.GetProperty("items").GetArrayLength());
        Assert.Equal(1, second.Json.GetProperty("items").GetArrayLength());
        Assert.False(second.Json.TryGetProperty("continuationToken", out _));
        Assert.Equal(400, tampered.StatusCode);
    }

    [CosmosEmulatorFact]
    public async Task The_relay_query_finds_pending_outboxes_across_tenants_and_skips_published_ones()
    {
        var cutoff = DateTimeOffset.UtcNow.AddYears(10);
        var a = TestData.Order(TestData.NewTenant());
        var b = TestData.Order(TestData.NewTenant());
        var published = TestData.Order(TestData.NewTenant());
        foreach (var order in new[] { a, b })
        {
            await Store.CreateAsync(order, CancellationToken.None);
        }

        var written = new Versioned<Order>(published, await Store.CreateAsync(published, CancellationToken.None));
        await Store.MarkPublishedAsync(written, [.. published.Outbox.Select(e => e.Id)], CancellationToken.None);

        var found = await Store.FindWithPendingEventsAsync(cutoff, DateTimeOffset.MaxValue, 1000, CancellationToken.None);

        Assert.Contains(new OrderRef(a.TenantId, a.Id, a.OutboxPendingSince!.Value), found);
        Assert.Contains(new OrderRef(b.TenantId, b.Id, b.OutboxPendingSince!.Value), found);
        Assert.DoesNotContain(new OrderRef(published.TenantId, published.Id, published.OutboxPendingSince!.Value), found);
    }

    [CosmosEmulatorFact]
    public async Task Point_reads_of_missing_or_foreign_ids_are_null()
    {
        var order = TestData.Order(TestData.NewTenant());
        await Store.CreateAsync(order, CancellationToken.None);

        Assert.Null(await Store.GetAsync(order.TenantId, "missing", CancellationToken.None));
        Assert.Null(await Store.GetAsync(TestData.NewTenant(), order.Id, CancellationToken.None));
        Assert.Equal(OrderStatus.Pending, (await Store.GetAsync(order.TenantId, order.Id, CancellationToken.None))!.Value.Status);
    }

    [CosmosEmulatorFact]
    public async Task Containers_are_created_with_the_partition_keys_ttls_excluded_paths_and_composite_indexes_of_CosmosModel()
    {
        foreach (var spec in CosmosModel.Containers)
        {
            var properties = (await emulator.Containers.Database.GetContainer(spec.Name).ReadContainerAsync()).Resource;

            Assert.Equal(spec.PartitionKeyPath, properties.PartitionKeyPath);
            Assert.Equal(spec.DefaultTimeToLiveSeconds, properties.DefaultTimeToLive);
            Assert.Subset(properties.IndexingPolicy.ExcludedPaths.Select(p => p.Path).ToHashSet(), spec.ExcludedPaths.ToHashSet());
            Assert.Equal(
                spec.CompositeIndexes.Select(i => string.Join(", ", i.Paths.Select(p => $"{p.Path} {p.Order}"))),
                properties.IndexingPolicy.CompositeIndexes.Select(i => string.Join(", ", i.Select(p => $"{p.Path} {(p.Order == CompositePathSortOrder.Descending ? "descending" : "ascending")}"))));
        }
    }

    [CosmosEmulatorFact]
    public async Task A_tampered_continuation_token_is_the_clients_mistake()
    {
        var tenant = TestData.NewTenant();
        await Assert.ThrowsAsync<InvalidContinuationTokenException>(() =>
            Store.ListAsync(new OrderListQuery(tenant, null, null, 2, "{\"not\":\"a token\"}"), CancellationToken.None));
    }
}
