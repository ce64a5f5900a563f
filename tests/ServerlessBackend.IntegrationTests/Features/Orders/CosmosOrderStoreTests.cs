using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Orders;

/// <summary>The real adapter against a Cosmos-protocol server (the operations it serves).</summary>
public sealed class CosmosOrderStoreTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly CosmosOrderStore _store = new(cosmos.Containers);

    [Fact]
    public async Task A_created_order_reads_back_identical_with_its_etag()
    {
        var order = TestData.Order(TestData.NewTenant());

        var etag = await _store.CreateAsync(order, CancellationToken.None);
        var read = await _store.GetAsync(order.TenantId, order.Id, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(etag, read.ETag);
        // Compared field by field: the server stores numbers as JavaScript does (12.50 comes back as 12.5).
        Assert.Equal(order.Lines, read.Value.Lines);
        Assert.Equal(order.StatusHistory, read.Value.StatusHistory);
        Assert.Equal(order.Outbox, read.Value.Outbox);
        Assert.Equal(order.Refunds, read.Value.Refunds);
        Assert.Equal(order with { Lines = read.Value.Lines, StatusHistory = read.Value.StatusHistory, Outbox = read.Value.Outbox, Refunds = read.Value.Refunds }, read.Value);
        Assert.Equal(["OrderPlaced"], OrderEventTypes(read.Value).AsEnumerable());
    }

    [Fact]
    public async Task The_stored_document_uses_camelCase_names_and_string_enums()
    {
        var order = TestData.Order(TestData.NewTenant());
        await _store.CreateAsync(order, CancellationToken.None);

        using var response = await cosmos.Containers.Orders.ReadItemStreamAsync(order.Id, new PartitionKey(order.TenantId));
        using var document = await JsonDocument.ParseAsync(response.Content);
        var root = document.RootElement;

        Assert.Equal(order.Id, root.GetProperty("id").GetString());
        Assert.Equal(order.TenantId, root.GetProperty("tenantId").GetString());
        Assert.Equal("pending", root.GetProperty("status").GetString());
        Assert.Equal("OrderPlaced", root.GetProperty("outbox")[0].GetProperty("type").GetString());
        Assert.Equal(28.20m, root.GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task Creating_an_existing_id_is_a_conflict_and_leaves_the_first_order()
    {
        var order = TestData.Order(TestData.NewTenant());
        await _store.CreateAsync(order, CancellationToken.None);

        await Assert.ThrowsAsync<DocumentConflictException>(() => _store.CreateAsync(order with { ContactEmail = "other@example.test" }, CancellationToken.None));
        var read = await _store.GetAsync(order.TenantId, order.Id, CancellationToken.None);
        Assert.Equal("customer@example.test", read!.Value.ContactEmail);
    }

    [Fact]
    public async Task Concurrent_creates_of_one_id_store_exactly_one_order()
    {
        var order = TestData.Order(TestData.NewTenant());

        var attempts = Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await _store.CreateAsync(order, CancellationToken.None);
                return true;
            }
            catch (DocumentConflictException)
            {
                return false;
            }
        });
        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(created => created));
    }

    [Fact]
    public async Task A_refused_attempt_and_an_order_exclude_each_other_at_one_id_and_the_refusal_is_never_read_or_listed_as_an_order()
    {
        var tenant = TestData.NewTenant();
        var order = TestData.Order(tenant, "alice");
        var refused = Refused(tenant, "alice", TestData.Order(tenant).Id);
        await _store.CreateAsync(order, CancellationToken.None);
        await _store.CreateRefusalAsync(refused, CancellationToken.None);

        await Assert.ThrowsAsync<DocumentConflictException>(() => _store.CreateRefusalAsync(refused with { Id = order.Id }, CancellationToken.None));
        await Assert.ThrowsAsync<DocumentConflictException>(() => _store.CreateAsync(order with { Id = refused.Id }, CancellationToken.None));
        await Assert.ThrowsAsync<DocumentConflictException>(() => _store.CreateRefusalAsync(refused, CancellationToken.None));

        var placement = await _store.GetPlacementAsync(tenant, refused.Id, CancellationToken.None);
        Assert.Null(placement!.Order);
        Assert.Equal(refused.Refusal.Detail, placement.Refused!.Refusal.Detail);
        Assert.Equal(refused.Refusal.Errors!["lines[0].productId"], placement.Refused.Refusal.Errors!["lines[0].productId"]);
        Assert.Equal(refused with { Refusal = placement.Refused.Refusal }, placement.Refused);
        Assert.Equal(order.Id, (await _store.GetPlacementAsync(tenant, order.Id, CancellationToken.None))!.Order!.Value.Id);
        Assert.Null(await _store.GetAsync(tenant, refused.Id, CancellationToken.None));
        foreach (var (customer, status) in new[] { ((string?)null, (OrderStatus?)null), ("alice", null), (null, OrderStatus.Pending), ("alice", OrderStatus.Pending) })
        {
            var listed = await _store.ListAsync(new OrderListQuery(tenant, customer, status, 10, null), CancellationToken.None);
            Assert.Equal([order.Id], listed.Items.Select(o => o.Id));
        }
    }

    [Fact]
    public async Task Replace_needs_the_current_etag()
    {
        var order = TestData.Order(TestData.NewTenant());
        var first = await _store.CreateAsync(order, CancellationToken.None);
        var cancelled = order.TransitionTo(OrderStatus.Cancelled, TestData.Now.AddMinutes(1), "changed my mind", null);

        var second = await _store.ReplaceAsync(cancelled, first, CancellationToken.None);
        await Assert.ThrowsAsync<DocumentPreconditionFailedException>(() => _store.ReplaceAsync(cancelled, first, CancellationToken.None));

        var read = await _store.GetAsync(order.TenantId, order.Id, CancellationToken.None);
        Assert.NotEqual(first, second);
        Assert.Equal(second, read!.ETag);
        Assert.Equal(OrderStatus.Cancelled, read.Value.Status);
        Assert.Equal([OrderStatus.Pending, OrderStatus.Cancelled], read.Value.StatusHistory.Select(h => h.Status));
    }

    [Fact]
    public async Task An_unknown_id_reads_as_null_and_cannot_be_replaced()
    {
        var order = TestData.Order(TestData.NewTenant());

        Assert.Null(await _store.GetAsync(order.TenantId, order.Id, CancellationToken.None));
        await Assert.ThrowsAsync<DocumentNotFoundException>(() => _store.ReplaceAsync(order, "\"any\"", CancellationToken.None));
    }

    [Fact]
    public async Task Another_tenants_order_is_not_found_with_its_id()
    {
        var order = TestData.Order(TestData.NewTenant());
        await _store.CreateAsync(order, CancellationToken.None);

        Assert.Null(await _store.GetAsync(TestData.NewTenant(), order.Id, CancellationToken.None));
        Assert.NotNull(await _store.GetAsync(order.TenantId, order.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Lists_only_the_tenants_orders_filtered_by_customer_and_status()
    {
        var tenant = TestData.NewTenant();
        var mine = TestData.Order(tenant, "alice", at: TestData.Now);
        var cancelled = TestData.Order(tenant, "alice", at: TestData.Now.AddMinutes(1)).TransitionTo(OrderStatus.Cancelled, TestData.Now.AddMinutes(2), null, null);
        var bobs = TestData.Order(tenant, "bob", at: TestData.Now.AddMinutes(3));
        var foreign = TestData.Order(TestData.NewTenant(), "alice");
        foreach (var order in new[] { mine, cancelled, bobs, foreign })
        {
            await _store.CreateAsync(order, CancellationToken.None);
        }

        var alices = await _store.ListAsync(new OrderListQuery(tenant, "alice", null, 10, null), CancellationToken.None);
        var pending = await _store.ListAsync(new OrderListQuery(tenant, null, OrderStatus.Pending, 10, null), CancellationToken.None);

        Assert.Equal([cancelled.Id, mine.Id], alices.Items.Select(o => o.Id));
        Assert.Null(alices.ContinuationToken);
        Assert.Equal([bobs.Id, mine.Id], pending.Items.Select(o => o.Id));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Every_list_filter_is_served_by_a_declared_composite_index_newest_first(bool byCustomer, bool byStatus)
    {
        // The server refuses an ORDER BY on several properties unless a composite index of the container
        // (created from CosmosModel) matches it exactly, as Cosmos DB does.
        var tenant = TestData.NewTenant();
        var older = TestData.Order(tenant, "alice", at: TestData.Now);
        var newer = TestData.Order(tenant, "alice", at: TestData.Now.AddMinutes(1));
        var bobs = TestData.Order(tenant, "bob", at: TestData.Now.AddMinutes(2));
        var cancelled = TestData.Order(tenant, "alice", at: TestData.Now.AddMinutes(3)).TransitionTo(OrderStatus.Cancelled, TestData.Now.AddMinutes(4), null, null);
        foreach (var order in new[] { newer, bobs, older, cancelled })
        {
            await _store.CreateAsync(order, CancellationToken.None);
        }

        var page = await _store.ListAsync(new OrderListQuery(tenant, byCustomer ? "alice" : null, byStatus ? OrderStatus.Pending : null, 10, null), CancellationToken.None);

        var expected = new[] { cancelled, bobs, newer, older }
            .Where(o => !byCustomer || o.CustomerId == "alice")
            .Where(o => !byStatus || o.Status == OrderStatus.Pending)
            .Select(o => o.Id);
        Assert.Equal(expected, page.Items.Select(o => o.Id));
    }

    [Fact]
    public async Task An_order_by_without_a_matching_composite_index_is_refused_by_the_server()
    {
        // What the test above relies on: without the tenant first, no declared index serves the query.
        var tenant = TestData.NewTenant();
        await _store.CreateAsync(TestData.Order(tenant, "alice"), CancellationToken.None);
        var query = new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @t AND c.customerId = @c ORDER BY c.customerId ASC, c.createdAt DESC")
            .WithParameter("@t", tenant)
            .WithParameter("@c", "alice");
        using var iterator = cosmos.Containers.Orders.GetItemQueryIterator<JsonElement>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(tenant) });

        var error = await Assert.ThrowsAsync<CosmosException>(() => iterator.ReadNextAsync());

        Assert.Contains("does not have a corresponding composite index", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mark_published_removes_those_events_and_clears_the_pending_marker_once_empty()
    {
        var order = TestData.Advanced(TestData.Order(TestData.NewTenant()), OrderStatus.Confirmed, TestData.Now.AddMinutes(1));
        var written = new Versioned<Order>(order, await _store.CreateAsync(order, CancellationToken.None));
        var placed = Order.EventId(order.Id, "OrderPlaced");
        var reserved = Order.EventId(order.Id, "OrderReserved");
        var confirmed = Order.EventId(order.Id, "OrderConfirmed");

        var returnedFirst = await _store.MarkPublishedAsync(written, [placed, reserved], CancellationToken.None);
        var afterFirst = (await _store.GetAsync(order.TenantId, order.Id, CancellationToken.None))!.Value;
        // The version we pass is stale now (the first mark changed the ETag): the store reads again and retries.
        var returnedAll = await _store.MarkPublishedAsync(written, [placed, reserved, confirmed], CancellationToken.None);
        var afterAll = (await _store.GetAsync(order.TenantId, order.Id, CancellationToken.None))!.Value;
        var again = await _store.MarkPublishedAsync(returnedAll!, [placed, confirmed], CancellationToken.None);

        Assert.Equal([confirmed], afterFirst.Outbox.Select(e => e.Id));
        Assert.Equal(TestData.Now.AddMinutes(1), afterFirst.OutboxPendingSince);
        Assert.Empty(afterAll.Outbox);
        Assert.Null(afterAll.OutboxPendingSince);
        Assert.Equal(OrderStatus.Confirmed, afterAll.Status);
        Assert.Equal([confirmed], returnedFirst!.Value.Outbox.Select(e => e.Id));
        Assert.Empty(returnedAll!.Value.Outbox);
        Assert.Null(returnedAll.Value.OutboxPendingSince);
        Assert.Same(returnedAll, again);
    }

    [Fact]
    public async Task Mark_published_returns_the_order_as_stored_afterwards_with_its_current_etag_on_either_path()
    {
        var order = TestData.Order(TestData.NewTenant());
        var written = new Versioned<Order>(order, await _store.CreateAsync(order, CancellationToken.None));

        var marked = await _store.MarkPublishedAsync(written, [Order.EventId(order.Id, "OrderPlaced")], CancellationToken.None);
        var stored = await _store.GetAsync(order.TenantId, order.Id, CancellationToken.None);
        Assert.NotEqual(written.ETag, marked!.ETag);
        Assert.Equal(stored!.ETag, marked.ETag);
        Assert.Empty(marked.Value.Outbox);
        Assert.Null(marked.Value.OutboxPendingSince);

        // From a stale version (cancelled since): read again, mark that version, return it with the concurrent change.
        var other = TestData.Order(order.TenantId);
        var otherWritten = new Versioned<Order>(other, await _store.CreateAsync(other, CancellationToken.None));
        await _store.ReplaceAsync(other.TransitionTo(OrderStatus.Cancelled, TestData.Now.AddMinutes(1), null, null), otherWritten.ETag, CancellationToken.None);
        var remarked = await _store.MarkPublishedAsync(otherWritten, [Order.EventId(other.Id, "OrderPlaced")], CancellationToken.None);
        var final = await _store.GetAsync(other.TenantId, other.Id, CancellationToken.None);
        Assert.Equal(final!.ETag, remarked!.ETag);
        Assert.Equal(OrderStatus.Cancelled, remarked.Value.Status);
        Assert.Equal([Order.EventId(other.Id, "OrderCancelled")], remarked.Value.Outbox.Select(e => e.Id));
    }

    [Fact]
    public async Task Mark_published_with_the_current_version_is_one_conditional_replace_and_a_stale_one_never_overwrites_a_newer_write()
    {
        var order = TestData.Order(TestData.NewTenant());
        var written = new Versioned<Order>(order, await _store.CreateAsync(order, CancellationToken.None));
        var cancelled = order.TransitionTo(OrderStatus.Cancelled, TestData.Now.AddMinutes(1), null, null);
        await _store.ReplaceAsync(cancelled, written.ETag, CancellationToken.None);

        cosmos.Counter.Reset();
        await _store.MarkPublishedAsync(written, [Order.EventId(order.Id, "OrderPlaced")], CancellationToken.None);
        var stale = cosmos.Counter.Requests.Select(r => $"{r.Method} {r.StatusCode}").ToList();
        var current = (await _store.GetAsync(order.TenantId, order.Id, CancellationToken.None))!;
        cosmos.Counter.Reset();
        await _store.MarkPublishedAsync(current, [Order.EventId(order.Id, "OrderCancelled")], CancellationToken.None);
        var fresh = cosmos.Counter.Requests.Select(r => $"{r.Method} {r.StatusCode}").ToList();

        Assert.Equal(["PUT 412", "GET 200", "PUT 200"], stale);
        Assert.Equal(["PUT 200"], fresh);
        var stored = (await _store.GetAsync(order.TenantId, order.Id, CancellationToken.None))!.Value;
        Assert.Equal(OrderStatus.Cancelled, stored.Status);
        Assert.Empty(stored.Outbox);
    }

    private static string[] OrderEventTypes(Order order) => [.. order.Outbox.Select(e => e.Type)];

    private static RefusedPlacement Refused(string tenant, string customer, string id) => new()
    {
        Id = id,
        TenantId = tenant,
        CustomerId = customer,
        RequestHash = "hash",
        RefusedAt = TestData.Now,
        Refusal = ApiError.Validation(new Dictionary<string, string[]> { ["lines[0].productId"] = ["There is no active product with this id."] }) with { Kind = ProblemKind.Unprocessable },
    };
}
