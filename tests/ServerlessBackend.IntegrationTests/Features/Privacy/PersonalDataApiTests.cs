using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Privacy;

/// <summary>Personal data export and erasure through the app's middleware, over the Cosmos-protocol server.</summary>
public sealed class PersonalDataApiTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private const string AliceEmail = "alice.private@example.test";
    private const string BobEmail = "bob.private@example.test";
    private const string ClientSecret = "pi_alice_secret_xyz";

    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();

    [Fact]
    public async Task The_export_holds_every_order_of_the_customer_in_every_status_with_contact_emails_their_notifications_and_refused_attempts()
    {
        var orders = await StoreAliceInEveryStatusAsync();
        await StoreOrderAsync("bob", BobEmail, OrderStatus.Confirmed);

        var mine = await _api.SendAsync("GET", "/api/v1/customers/me/data", _api.Privacy.MyData, _tenant.Alice);
        var theirs = await _api.SendAsync("GET", "/api/v1/admin/customers/alice/data", (r, ct) => _api.Privacy.CustomerData(r, "alice", ct), _tenant.Admin);
        var customerAsksForAnother = await _api.SendAsync("GET", "/api/v1/admin/customers/bob/data", (r, ct) => _api.Privacy.CustomerData(r, "bob", ct), _tenant.Alice);

        Assert.Equal(200, mine.StatusCode);
        var export = mine.Json;
        Assert.Equal("alice", export.GetProperty("subject").GetString());
        var exported = export.GetProperty("orders").EnumerateArray().ToList();
        Assert.Equal(orders.Select(o => o.Id).Order(), exported.Select(o => o.GetProperty("id").GetString()!).Order());
        Assert.Equal(Enum.GetValues<OrderStatus>().Select(JsonNaming.EnumValue).Order(), exported.Select(o => o.GetProperty("status").GetString()!).Order());
        Assert.All(exported, o => Assert.Equal(AliceEmail, o.GetProperty("contactEmail").GetString()));
        Assert.Contains(exported, o => o.TryGetProperty("payment", out var p) && p.TryGetProperty("clientSecret", out var secret) && secret.GetString() == ClientSecret);
        Assert.Single(export.GetProperty("refusedOrderAttempts").EnumerateArray());
        var notification = Assert.Single(export.GetProperty("notifications").EnumerateArray());
        Assert.Equal(Order.EventId(orders[0].Id, OrderEventTypes.OrderConfirmed), notification.GetProperty("id").GetString());
        Assert.DoesNotContain(BobEmail, mine.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"_etag\"", mine.Body, StringComparison.Ordinal);
        Assert.Equal(200, theirs.StatusCode);
        Assert.Equal(Strip(mine.Json), Strip(theirs.Json));
        ProblemAssertions.AssertProblem(customerAsksForAnother, 403);
    }

    [Fact]
    public async Task Erasure_leaves_no_contact_email_or_customer_id_in_any_container_keeps_the_bookkeeping_and_is_safe_to_repeat()
    {
        var orders = await StoreAliceInEveryStatusAsync();
        var bobs = await StoreOrderAsync("bob", BobEmail, OrderStatus.Shipped);

        var erased = await Erase();
        var again = await Erase();
        var export = await _api.SendAsync("GET", "/api/v1/admin/customers/alice/data", (r, ct) => _api.Privacy.CustomerData(r, "alice", ct), _tenant.Admin);
        var everything = await EveryDocumentOfTheTenantAsync();

        Assert.Equal(200, erased.StatusCode);
        Assert.Equal((orders.Count, 1), (erased.Json.GetProperty("ordersErased").GetInt32(), erased.Json.GetProperty("refusedOrderAttemptsErased").GetInt32()));
        Assert.Equal((200, 0, 0), (again.StatusCode, again.Json.GetProperty("ordersErased").GetInt32(), again.Json.GetProperty("refusedOrderAttemptsErased").GetInt32()));
        Assert.Empty(export.Json.GetProperty("orders").EnumerateArray());
        // The scan: every container the app has, every document of the tenant.
        Assert.Equal(CosmosModel.Containers.Select(c => c.Name).Order(), everything.Keys.Order());
        var stored = string.Join("\n", everything.Values.SelectMany(d => d));
        Assert.DoesNotContain(AliceEmail, stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ClientSecret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("\"alice\"", stored, StringComparison.Ordinal);
        Assert.Contains(BobEmail, stored, StringComparison.Ordinal);
        // Bookkeeping stays: ids, amounts, statuses.
        foreach (var order in orders)
        {
            var kept = (await _api.Get<IOrderStore>().GetAsync(_tenant.Id, order.Id, CancellationToken.None))!.Value;
            Assert.Equal((order.Total, order.Status, order.Lines.Count), (kept.Total, kept.Status, kept.Lines.Count));
            Assert.NotNull(kept.PersonalDataErasedAt);
        }

        Assert.Equal(BobEmail, (await _api.Get<IOrderStore>().GetAsync(_tenant.Id, bobs.Id, CancellationToken.None))!.Value.ContactEmail);
    }

    [Fact]
    public async Task Only_admins_erase_and_an_unknown_subject_is_an_empty_success()
    {
        await StoreOrderAsync("alice", AliceEmail, OrderStatus.Pending);

        var byCustomer = await _api.SendAsync("POST", "/api/v1/admin/customers/alice/erase", (r, ct) => _api.Privacy.CustomerErasure(r, "alice", ct), _tenant.Bob);
        var unknown = await _api.SendAsync("POST", "/api/v1/admin/customers/nobody/erase", (r, ct) => _api.Privacy.CustomerErasure(r, "nobody", ct), _tenant.Admin);
        var stillThere = await _api.SendAsync("GET", "/api/v1/customers/me/data", _api.Privacy.MyData, _tenant.Alice);

        ProblemAssertions.AssertProblem(byCustomer, 403);
        Assert.Equal((200, 0), (unknown.StatusCode, unknown.Json.GetProperty("ordersErased").GetInt32()));
        Assert.Single(stillThere.Json.GetProperty("orders").EnumerateArray());
    }

    private Task<TestResponse> Erase() =>
        _api.SendAsync("POST", "/api/v1/admin/customers/alice/erase", (r, ct) => _api.Privacy.CustomerErasure(r, "alice", ct), _tenant.Admin);

    /// <summary>Alice's orders, one per status (the Pending one waiting for her action with a client secret), a refused attempt, and a notification record of her confirmed order.</summary>
    private async Task<List<Order>> StoreAliceInEveryStatusAsync()
    {
        var orders = new List<Order>();
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            orders.Add(await StoreOrderAsync("alice", AliceEmail, status));
        }

        await _api.Get<IOrderStore>().CreateRefusalAsync(
            new RefusedPlacement { Id = $"o-{Guid.NewGuid():N}", TenantId = _tenant.Id, CustomerId = "alice", RequestHash = "h", RefusedAt = TestData.Now, Refusal = ApiError.NotFound("The product") },
            CancellationToken.None);
        var confirmed = orders.First(o => o.Status == OrderStatus.Confirmed);
        orders.Remove(confirmed);
        orders.Insert(0, confirmed);
        await new CosmosNotificationLog(cosmos.Containers).TryCreateAsync(
            new Notification(Order.EventId(confirmed.Id, OrderEventTypes.OrderConfirmed), _tenant.Id, confirmed.Id, OrderEventTypes.OrderConfirmed, NotificationState.Sent, "d-1", TestData.Now, TestData.Now),
            CancellationToken.None);
        return orders;
    }

    private async Task<Order> StoreOrderAsync(string customer, string email, OrderStatus status)
    {
        var placed = TestData.Order(_tenant.Id, customer) with { ContactEmail = email, PaymentMethod = "pm_card_visa" };
        var order = status == OrderStatus.Pending
            ? placed.WithPayment(
                OrderPayment.Created("stripe", "pi_1", 2620, "EUR", TestData.Now).MoveTo(PaymentStatus.ActionRequired, TestData.Now, clientSecret: ClientSecret), TestData.Now, "corr-1")
            : TestData.Advanced(placed, status);
        await _api.Get<IOrderStore>().CreateAsync(order, CancellationToken.None);
        return order;
    }

    /// <summary>Every document of the tenant in every container of the app, as stored JSON.</summary>
    private async Task<Dictionary<string, List<string>>> EveryDocumentOfTheTenantAsync()
    {
        var all = new Dictionary<string, List<string>>();
        foreach (var spec in CosmosModel.Containers)
        {
            var documents = new List<string>();
            var query = new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId").WithParameter("@tenantId", _tenant.Id);
            using var iterator = cosmos.Containers.Database.GetContainer(spec.Name).GetItemQueryIterator<JsonElement>(
                query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(_tenant.Id) });
            while (iterator.HasMoreResults)
            {
                documents.AddRange((await iterator.ReadNextAsync()).Select(d => d.GetRawText()));
            }

            all[spec.Name] = documents;
        }

        return all;
    }

    private static string Strip(JsonElement export) =>
        JsonSerializer.Serialize(new { orders = export.GetProperty("orders"), refused = export.GetProperty("refusedOrderAttempts"), notifications = export.GetProperty("notifications") });
}
