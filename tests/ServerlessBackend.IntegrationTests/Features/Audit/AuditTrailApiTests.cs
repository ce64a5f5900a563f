using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;
using ServerlessBackend.Functions.Features.Catalog;

namespace ServerlessBackend.IntegrationTests.Features.Audit;

/// <summary>
/// Every admin change writes its audit entry with the change (one Cosmos DB batch), a refused change writes neither, and
/// GET /v1/admin/audit lists the tenant's entries newest first, paged and filtered, to its admins only.
/// </summary>
public sealed class AuditTrailApiTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private const string Beans = """{"id":"BEANS","name":"Espresso beans","price":12.5,"currency":"EUR","availableStock":10}""";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly TestTenant _tenant = new();
    private readonly Mock<IDeadLetters> _deadLetters = new(MockBehavior.Strict);
    private ApiTestHost? _host;

    private ApiTestHost Api => _host ??= new ApiTestHost(cosmos, _clock);

    [Fact]
    public async Task Every_admin_change_has_one_entry_with_who_what_the_changed_fields_and_the_trace_newest_first()
    {
        await Audit(_tenant.Admin); // the tenant's first request onboards it (development key): that entry comes first
        var created = await Later(() => Send("POST", "/api/v1/products", Api.Catalog.Products, _tenant.Admin, Beans));
        var updated = await Later(() => Send("PUT", "/api/v1/products/BEANS", (r, ct) => Api.Catalog.Product(r, "BEANS", ct), _tenant.Admin, """{"name":"Espresso beans","price":13,"currency":"EUR"}""", ETag(created)));
        var stocked = await Later(() => Send("PUT", "/api/v1/products/BEANS/stock", (r, ct) => Api.Catalog.ProductStock(r, "BEANS", ct), _tenant.Admin, """{"availableStock":4}""", ETag(updated)));
        await Later(() => Send("POST", "/api/v1/products/BEANS/deactivate", (r, ct) => Api.Catalog.ProductDeactivation(r, "BEANS", ct), _tenant.Admin, ifMatch: ETag(stocked)));
        var (confirmed, confirmedETag) = await StoredOrderAsync(OrderStatus.Confirmed);
        var shipped = await Later(() => Send("POST", $"/api/v1/orders/{confirmed.Id}/ship", (r, ct) => Api.Orders.OrderShipment(r, confirmed.Id, ct), _tenant.Admin, ifMatch: confirmedETag));
        var (pending, _) = await StoredOrderAsync(OrderStatus.Pending);
        await Later(() => Send("POST", $"/api/v1/orders/{pending.Id}/cancel", (r, ct) => Api.Orders.OrderCancellation(r, pending.Id, ct), _tenant.Admin));
        _deadLetters.Setup(d => d.ReplayAsync("email", _tenant.Id, It.Is<IReadOnlyCollection<long>>(s => s.SequenceEqual(new[] { 7L })), It.IsAny<CancellationToken>())).ReturnsAsync([7L]);
        await Later(() => Send("POST", "/api/v1/admin/dead-letters/email/replay", (r, ct) => DeadLetters.DeadLetterReplay(r, "email", ct), _tenant.Admin, """{"sequenceNumbers":[7]}"""));

        var log = await Audit(_tenant.Admin);

        Assert.Equal(200, log.StatusCode);
        var entries = Items(log);
        Assert.Equal(
            ["deadLetters.replayRequested", "order.cancelled", "order.shipped", "product.deactivated", "product.stockSet", "product.updated", "product.created", "tenant.onboarded"],
            entries.Select(e => e.GetProperty("operation").GetString()));
        var admin = entries.Take(7).ToList();
        Assert.All(admin, e => Assert.Equal("""{"subject":"admin-1","kind":"admin"}""", e.GetProperty("actor").GetRawText()));
        Assert.All(admin, e => Assert.Matches("^[0-9a-f]{32}$", e.GetProperty("traceId").GetString()));
        Assert.Equal("""{"subject":"development (first request)","kind":"system"}""", entries[7].GetProperty("actor").GetRawText());
        Assert.Equal("""{"name":"Espresso beans","price":12.5,"currency":"EUR","availableStock":10,"active":true}""", entries[6].GetProperty("after").GetRawText());
        Assert.False(entries[6].TryGetProperty("before", out _));
        Assert.Equal(("""{"price":12.5}""", """{"price":13}"""), Fields(entries[5]));
        Assert.Equal(("""{"availableStock":10}""", """{"availableStock":4}"""), Fields(entries[4]));
        Assert.Equal(("""{"active":true}""", """{"active":false}"""), Fields(entries[3]));
        Assert.Equal(("""{"status":"confirmed"}""", """{"status":"shipped"}"""), Fields(entries[2]));
        Assert.Equal(("""{"status":"pending"}""", """{"status":"cancelled"}"""), Fields(entries[1]));
        Assert.Equal("""{"sequenceNumbers":[7]}""", entries[0].GetProperty("after").GetRawText());
        Assert.Equal($$"""{"type":"order","id":"{{confirmed.Id}}"}""", entries[2].GetProperty("resource").GetRawText());
        Assert.Equal("""{"type":"subscription","id":"email"}""", entries[0].GetProperty("resource").GetRawText());
        Assert.Equal(shipped.TraceId, entries[2].GetProperty("traceId").GetString());
        Assert.DoesNotContain("@example", log.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refund_request_is_audited_with_the_amount_it_adds_to_the_refunded_total_and_nothing_of_its_reason()
    {
        var order = TestData.ShippedAndCaptured(TestData.Order(_tenant.Id, customerId: "alice"));
        await Api.Get<IOrderStore>().CreateAsync(order, CancellationToken.None);
        await Audit(_tenant.Admin); // the tenant's onboarding entry first

        var refund = await Later(() => Api.SendAsync(
            "POST", $"/api/v1/orders/{order.Id}/refunds", (r, ct) => Api.Refunds.OrderRefunds(r, order.Id, ct), _tenant.Admin,
            """{"amount":5,"reason":"parcel damaged, call +44 20 7946 0000"}""", new Dictionary<string, string> { ["Idempotency-Key"] = "refund-1" }));

        var entry = Items(await Audit(_tenant.Admin))[0];
        Assert.Equal("order.refundRequested", entry.GetProperty("operation").GetString());
        Assert.Equal($$"""{"type":"order","id":"{{order.Id}}"}""", entry.GetProperty("resource").GetRawText());
        Assert.Equal(("""{"refundedMinor":0}""", """{"refundedMinor":500}"""), Fields(entry));
        Assert.Equal(refund.TraceId, entry.GetProperty("traceId").GetString());
        Assert.DoesNotContain("damaged", entry.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_change_writes_neither_the_change_nor_an_entry()
    {
        var created = await Send("POST", "/api/v1/products", Api.Catalog.Products, _tenant.Admin, Beans);
        var updated = await Send("PUT", "/api/v1/products/BEANS/stock", (r, ct) => Api.Catalog.ProductStock(r, "BEANS", ct), _tenant.Admin, """{"availableStock":3}""", ETag(created));
        var (confirmed, confirmedETag) = await StoredOrderAsync(OrderStatus.Confirmed);
        var before = Items(await Audit(_tenant.Admin)).Count;

        var stale = await Send("PUT", "/api/v1/products/BEANS", (r, ct) => Api.Catalog.Product(r, "BEANS", ct), _tenant.Admin, """{"name":"Other","price":1,"currency":"EUR"}""", ETag(created));
        var invalid = await Send("PUT", "/api/v1/products/BEANS/stock", (r, ct) => Api.Catalog.ProductStock(r, "BEANS", ct), _tenant.Admin, """{"availableStock":-1}""", ETag(updated));
        var duplicate = await Send("POST", "/api/v1/products", Api.Catalog.Products, _tenant.Admin, Beans.Replace("Espresso", "Other", StringComparison.Ordinal));
        var staleShip = await Send("POST", $"/api/v1/orders/{confirmed.Id}/ship", (r, ct) => Api.Orders.OrderShipment(r, confirmed.Id, ct), _tenant.Admin, ifMatch: "\"stale\"");
        var customer = await Send("POST", "/api/v1/products/BEANS/deactivate", (r, ct) => Api.Catalog.ProductDeactivation(r, "BEANS", ct), _tenant.Alice, ifMatch: ETag(updated));
        var unknown = await Send("POST", "/api/v1/admin/dead-letters/nope/replay", (r, ct) => DeadLetters.DeadLetterReplay(r, "nope", ct), _tenant.Admin, """{"sequenceNumbers":[7]}""");

        Assert.Equal((412, 400, 409, 412, 403, 404), (stale.StatusCode, invalid.StatusCode, duplicate.StatusCode, staleShip.StatusCode, customer.StatusCode, unknown.StatusCode));
        Assert.Equal(before, Items(await Audit(_tenant.Admin)).Count);
        var product = (await Api.Get<IProductStore>().GetAsync(_tenant.Id, "BEANS", CancellationToken.None))!;
        Assert.Equal(("Espresso beans", 3, true, ETag(updated)), (product.Value.Name, product.Value.AvailableStock, product.Value.Active, product.ETag));
        Assert.Equal(confirmedETag, (await Api.Get<IOrderStore>().GetAsync(_tenant.Id, confirmed.Id, CancellationToken.None))!.ETag);
    }

    [Fact]
    public async Task A_customers_own_cancellation_is_in_the_orders_history_not_in_the_audit_log()
    {
        var (pending, _) = await StoredOrderAsync(OrderStatus.Pending);
        var before = Items(await Audit(_tenant.Admin)).Count;

        var cancelled = await Send("POST", $"/api/v1/orders/{pending.Id}/cancel", (r, ct) => Api.Orders.OrderCancellation(r, pending.Id, ct), _tenant.Alice);

        Assert.Equal(200, cancelled.StatusCode);
        Assert.Equal(before, Items(await Audit(_tenant.Admin)).Count);
    }

    [Fact]
    public async Task Only_the_tenants_admins_read_its_log_and_no_method_changes_it()
    {
        await Send("POST", "/api/v1/products", Api.Catalog.Products, _tenant.Admin, Beans);
        var other = new TestTenant();
        await Send("POST", "/api/v1/products", Api.Catalog.Products, other.Admin, Beans);

        var mine = Items(await Audit(_tenant.Admin));
        var theirs = Items(await Audit(other.Admin));
        var theirsFiltered = Items(await Audit(other.Admin, "?resourceType=product&resourceId=BEANS"));

        Assert.Equal(["product.created", "tenant.onboarded"], mine.Select(e => e.GetProperty("operation").GetString()).Order(StringComparer.Ordinal));
        Assert.Empty(mine.Select(e => e.GetProperty("id").GetString()).Intersect(theirs.Select(e => e.GetProperty("id").GetString())));
        Assert.Single(theirsFiltered);
        Assert.DoesNotContain(mine[0].GetProperty("id").GetString(), theirsFiltered.Select(e => e.GetProperty("id").GetString()));
        ProblemAssertions.AssertProblem(await Audit(_tenant.Alice), 403);
        ProblemAssertions.AssertProblem(await Audit(null), 401);
        var delete = await Api.SendAsync("DELETE", "/api/v1/admin/audit", Api.Audit.AuditLog, _tenant.Admin);
        Assert.Equal(405, delete.StatusCode);
        Assert.Equal(mine.Count, Items(await Audit(_tenant.Admin)).Count);
    }

    [Fact]
    public async Task Pages_walk_the_three_containers_newest_first_without_gaps_or_repeats_and_tokens_are_bound_to_the_list()
    {
        await Audit(_tenant.Admin);
        var created = await Later(() => Send("POST", "/api/v1/products", Api.Catalog.Products, _tenant.Admin, Beans));
        var etag = ETag(created);
        for (var stock = 1; stock <= 3; stock++)
        {
            var (pending, _) = await StoredOrderAsync(OrderStatus.Pending);
            await Later(() => Send("POST", $"/api/v1/orders/{pending.Id}/cancel", (r, ct) => Api.Orders.OrderCancellation(r, pending.Id, ct), _tenant.Admin));
            var changed = await Later(() => Send("PUT", "/api/v1/products/BEANS/stock", (r, ct) => Api.Catalog.ProductStock(r, "BEANS", ct), _tenant.Admin, $$"""{"availableStock":{{stock}}}""", etag));
            etag = ETag(changed);
        }

        var all = Items(await Audit(_tenant.Admin, "?pageSize=100"));
        var walked = new List<JsonElement>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Audit(_tenant.Admin, "?pageSize=3" + (token is null ? "" : $"&continuationToken={token}"));
            Assert.Equal(200, page.StatusCode);
            walked.AddRange(Items(page));
            token = page.Json.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(8, all.Count);
        Assert.Equal(all.Select(e => e.GetProperty("id").GetString()), walked.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(all.Select(e => e.GetProperty("at").GetDateTimeOffset()).OrderDescending(), all.Select(e => e.GetProperty("at").GetDateTimeOffset()));
        Assert.Equal(3, pages);
        var first = await Audit(_tenant.Admin, "?pageSize=3");
        var foreign = first.Json.GetProperty("continuationToken").GetString();
        ProblemAssertions.AssertProblem(await Audit(new TestTenant().Admin, $"?pageSize=3&continuationToken={foreign}"), 400);
        ProblemAssertions.AssertProblem(await Audit(_tenant.Admin, $"?pageSize=3&resourceType=order&continuationToken={foreign}"), 400);
    }

    [Fact]
    public async Task Filters_by_resource_and_time_range_select_exactly_those_entries()
    {
        var start = _clock.GetUtcNow();
        var created = await Later(() => Send("POST", "/api/v1/products", Api.Catalog.Products, _tenant.Admin, Beans));
        await Later(() => Send("POST", "/api/v1/products", Api.Catalog.Products, _tenant.Admin, Beans.Replace("BEANS", "FILTERS", StringComparison.Ordinal)));
        var middle = _clock.GetUtcNow().AddMilliseconds(500);
        await Later(() => Send("PUT", "/api/v1/products/BEANS/stock", (r, ct) => Api.Catalog.ProductStock(r, "BEANS", ct), _tenant.Admin, """{"availableStock":1}""", ETag(created)));
        var (pending, _) = await StoredOrderAsync(OrderStatus.Pending);
        await Later(() => Send("POST", $"/api/v1/orders/{pending.Id}/cancel", (r, ct) => Api.Orders.OrderCancellation(r, pending.Id, ct), _tenant.Admin));

        var beans = Items(await Audit(_tenant.Admin, "?resourceType=product&resourceId=BEANS"));
        var orders = Items(await Audit(_tenant.Admin, "?resourceType=order"));
        var early = Items(await Audit(_tenant.Admin, $"?resourceType=product&from={Time(start)}&to={Time(middle)}"));
        var late = Items(await Audit(_tenant.Admin, $"?from={Time(middle)}"));

        Assert.Equal(["product.stockSet", "product.created"], beans.Select(e => e.GetProperty("operation").GetString()));
        Assert.Equal([pending.Id], orders.Select(e => e.GetProperty("resource").GetProperty("id").GetString()));
        Assert.Equal(["FILTERS", "BEANS"], early.Select(e => e.GetProperty("resource").GetProperty("id").GetString()));
        Assert.Equal(["order.cancelled", "product.stockSet"], late.Select(e => e.GetProperty("operation").GetString()));
        ProblemAssertions.AssertProblem(await Audit(_tenant.Admin, "?resourceType=refund"), 400);
        ProblemAssertions.AssertProblem(await Audit(_tenant.Admin, "?resourceId=BEANS"), 400);
        ProblemAssertions.AssertProblem(await Audit(_tenant.Admin, "?from=2026-01-01T00:00:00"), 400);
        ProblemAssertions.AssertProblem(await Audit(_tenant.Admin, $"?from={Time(middle)}&to={Time(start)}"), 400);
    }

    [Fact]
    public async Task Audit_entries_never_appear_in_the_product_and_order_lists()
    {
        await Send("POST", "/api/v1/products", Api.Catalog.Products, _tenant.Admin, Beans);
        var (pending, _) = await StoredOrderAsync(OrderStatus.Pending);
        await Send("POST", $"/api/v1/orders/{pending.Id}/cancel", (r, ct) => Api.Orders.OrderCancellation(r, pending.Id, ct), _tenant.Admin);

        var products = await Send("GET", "/api/v1/products", Api.Catalog.Products, _tenant.Admin);
        var orders = await Send("GET", "/api/v1/orders", Api.Orders.Orders, _tenant.Admin);

        Assert.Equal(["BEANS"], Items(products).Select(p => p.GetProperty("id").GetString()));
        Assert.Equal([pending.Id], Items(orders).Select(o => o.GetProperty("id").GetString()));
    }

    private DeadLetterFunctions DeadLetters => new(new DeadLetterHandler(_deadLetters.Object, MetricsCapture.Unobserved, Api.Get<AuditTrail>(), Api.Get<IAuditLog>()));

    /// <summary>Runs a change a second later than the last, so entries' times differ by design, not by luck.</summary>
    private async Task<TestResponse> Later(Func<Task<TestResponse>> change)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        var response = await change();
        Assert.True(response.StatusCode is >= 200 and < 300, response.Body);
        return response;
    }

    private async Task<(Order Order, string ETag)> StoredOrderAsync(OrderStatus status)
    {
        var order = TestData.Order(_tenant.Id, customerId: "alice");
        if (status != OrderStatus.Pending)
        {
            order = TestData.Advanced(order, status);
        }

        return (order, await Api.Get<IOrderStore>().CreateAsync(order, CancellationToken.None));
    }

    private Task<TestResponse> Audit(string? token, string query = "") =>
        Api.SendAsync("GET", "/api/v1/admin/audit" + query, Api.Audit.AuditLog, token);

    private Task<TestResponse> Send(
        string method, string path, Func<Microsoft.AspNetCore.Http.HttpRequest, CancellationToken, Task<Microsoft.AspNetCore.Http.IResult>> function, string token, string? body = null, string? ifMatch = null) =>
        Api.SendAsync(method, path, function, token, body, ifMatch is null ? null : new Dictionary<string, string> { ["If-Match"] = ifMatch });

    private static string ETag(TestResponse response) => response.Headers.ETag.ToString();

    private static List<JsonElement> Items(TestResponse response) => [.. response.Json.GetProperty("items").EnumerateArray()];

    private static (string Before, string After) Fields(JsonElement entry) =>
        (entry.GetProperty("before").GetRawText(), entry.GetProperty("after").GetRawText());

    private static string Time(DateTimeOffset at) => Uri.EscapeDataString(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
}
