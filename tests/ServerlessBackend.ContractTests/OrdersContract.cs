using ServerlessBackend.ContractTests.Targets;
using ServerlessBackend.Load;

namespace ServerlessBackend.ContractTests;

/// <summary>Orders: idempotent create (retries, a changed body, concurrent duplicates), If-Match on cancel and ship, the state machine, paging to the end.</summary>
public abstract class OrdersContract(IContractApp app) : ContractSuite(app)
{
    [ContractFact(Identity.Admin, Identity.Customer)]
    public async Task Place_is_201_with_location_and_etag_and_a_retry_with_the_same_key_replays_it()
    {
        var (sku, _) = await CreateProductAsync();
        var key = Samples.Key();

        var placed = await Api.SendAsync("POST", "v1/orders", Identity.Customer, Samples.Order(sku, quantity: 2), key);
        var retried = await Api.SendAsync("POST", "v1/orders", Identity.Customer, Samples.Order(sku, quantity: 2), key);
        var read = await Api.SendAsync("GET", placed.Header("Location")!, Identity.Customer);

        placed.AssertStatus(201);
        var id = placed.Json.GetProperty("id").GetString();
        Assert.Equal($"{Api.App.BaseUrl.AbsolutePath}v1/orders/{id}", placed.Header("Location"));
        Assert.NotNull(placed.Header("ETag"));
        Assert.Null(placed.Header("Idempotent-Replayed"));
        Assert.Equal(25m, placed.Json.GetProperty("total").GetDecimal());
        retried.AssertStatus(201);
        Assert.Equal("true", retried.Header("Idempotent-Replayed"));
        Assert.Equal(id, retried.Json.GetProperty("id").GetString());
        read.AssertStatus(200);
        Assert.Equal(id, read.Json.GetProperty("id").GetString());
        Assert.NotNull(read.Header("ETag"));
    }

    [ContractFact(Identity.Admin, Identity.Customer, Identity.OtherCustomer)]
    public async Task Get_with_a_matching_if_none_match_is_304_with_the_etag_and_no_body_and_another_customer_still_gets_404()
    {
        var placed = await PlaceOrderAsync();
        var path = placed.Header("Location")!;
        var etag = placed.Header("ETag")!;

        var current = await Api.SendAsync("GET", path, Identity.Customer, headers: new Dictionary<string, string> { ["If-None-Match"] = $"\"other\", W/{etag}" });
        var stale = await Api.SendAsync("GET", path, Identity.Customer, headers: new Dictionary<string, string> { ["If-None-Match"] = "\"stale\"" });
        var malformed = await Api.SendAsync("GET", path, Identity.Customer, headers: new Dictionary<string, string> { ["If-None-Match"] = "stale" });
        var someoneElse = await Api.SendAsync("GET", path, Identity.OtherCustomer, headers: new Dictionary<string, string> { ["If-None-Match"] = "*" });

        current.AssertStatus(304);
        Assert.Equal(etag, current.Header("ETag"));
        Assert.Empty(current.Body);
        stale.AssertStatus(200);
        malformed.AssertProblem(400);
        someoneElse.AssertProblem(404);
    }

    [ContractFact(Identity.Admin, Identity.Customer)]
    public async Task The_same_key_with_another_body_is_422_a_missing_key_400_and_an_unknown_product_422()
    {
        var (sku, _) = await CreateProductAsync();
        var key = Samples.Key();
        await Api.SendAsync("POST", "v1/orders", Identity.Customer, Samples.Order(sku), key);

        var changed = await Api.SendAsync("POST", "v1/orders", Identity.Customer, Samples.Order(sku, quantity: 3), key);
        var noKey = await Api.SendAsync("POST", "v1/orders", Identity.Customer, Samples.Order(sku));
        var unknown = await Api.SendAsync("POST", "v1/orders", Identity.Customer, Samples.Order(Samples.Sku()), Samples.Key());

        changed.AssertProblem(422);
        noKey.AssertProblem(400);
        unknown.AssertProblem(422);
    }

    [ContractFact(Identity.Admin, Identity.Customer)]
    public async Task Concurrent_duplicates_create_one_order_and_the_others_replay_it()
    {
        var (sku, _) = await CreateProductAsync();
        var key = Samples.Key();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Api.SendAsync("POST", "v1/orders", Identity.Customer, Samples.Order(sku), key)));

        Assert.All(responses, r => r.AssertStatus(201));
        var id = Assert.Single(responses.Select(r => r.Json.GetProperty("id").GetString()).Distinct());
        Assert.Single(responses, r => r.Header("Idempotent-Replayed") is null);
        var listed = (await Api.PagesAsync("v1/orders", Identity.Customer, pageSize: 100)).SelectMany(p => p).Select(o => o.GetProperty("id").GetString());
        Assert.Single(listed, o => o == id);
    }

    [ContractFact(Identity.Admin, Identity.Customer)]
    public async Task Cancel_refuses_a_stale_if_match_412_then_cancels_and_a_retried_cancel_is_told_it_is_cancelled()
    {
        var placed = await PlaceOrderAsync();
        var id = placed.Json.GetProperty("id").GetString();
        var current = await Api.SendAsync("GET", $"v1/orders/{id}", Identity.Customer);

        var stale = await Api.SendAsync("POST", $"v1/orders/{id}/cancel", Identity.Customer, headers: new Dictionary<string, string> { ["If-Match"] = "\"stale\"" });
        var cancelled = await Api.SendAsync("POST", $"v1/orders/{id}/cancel", Identity.Customer, headers: new Dictionary<string, string> { ["If-Match"] = current.Header("ETag")! });
        var again = await Api.SendAsync("POST", $"v1/orders/{id}/cancel", Identity.Customer, headers: new Dictionary<string, string> { ["If-Match"] = current.Header("ETag")! });

        stale.AssertProblem(412);
        cancelled.AssertStatus(200);
        Assert.Equal("cancelled", cancelled.Json.GetProperty("status").GetString());
        again.AssertStatus(200);
        Assert.Equal(cancelled.Json.GetProperty("statusHistory").GetArrayLength(), again.Json.GetProperty("statusHistory").GetArrayLength());
    }

    [ContractFact(Identity.Admin, Identity.Customer)]
    public async Task Ship_is_403_for_a_customer_428_without_if_match_and_409_for_an_order_not_confirmed()
    {
        var placed = await PlaceOrderAsync();
        var id = placed.Json.GetProperty("id").GetString();
        var current = await Api.SendAsync("GET", $"v1/orders/{id}", Identity.Admin);

        var byCustomer = await Api.SendAsync("POST", $"v1/orders/{id}/ship", Identity.Customer, headers: new Dictionary<string, string> { ["If-Match"] = current.Header("ETag")! });
        var noIfMatch = await Api.SendAsync("POST", $"v1/orders/{id}/ship", Identity.Admin);
        var pending = await Api.SendAsync("POST", $"v1/orders/{id}/ship", Identity.Admin, headers: new Dictionary<string, string> { ["If-Match"] = current.Header("ETag")! });

        byCustomer.AssertProblem(403);
        noIfMatch.AssertProblem(428);
        // Without fulfillment running (no Service Bus) it stays pending; with it, it may be confirmed already, and then ships.
        if (current.Json.GetProperty("status").GetString() == "pending")
        {
            pending.AssertProblem(409);
        }
        else
        {
            Assert.True(pending.Status is 200 or 412 or 409, pending.Body);
        }
    }

    [ContractFact(Identity.Admin, Identity.Customer)]
    public async Task A_refund_is_403_for_a_customer_400_without_a_key_and_409_for_an_order_that_has_not_shipped()
    {
        var placed = await PlaceOrderAsync();
        var id = placed.Json.GetProperty("id").GetString();

        var byCustomer = await Api.SendAsync("POST", $"v1/orders/{id}/refunds", Identity.Customer, "{}", Samples.Key());
        var noKey = await Api.SendAsync("POST", $"v1/orders/{id}/refunds", Identity.Admin, "{}");
        var unshipped = await Api.SendAsync("POST", $"v1/orders/{id}/refunds", Identity.Admin, "{}", Samples.Key());
        var unknown = await Api.SendAsync("GET", $"v1/orders/{id}/refunds/rfd-000000000000000000000000", Identity.Customer);

        byCustomer.AssertProblem(403);
        noKey.AssertProblem(400);
        unshipped.AssertProblem(409);
        unknown.AssertProblem(404);
    }

    [ContractFact(Identity.Admin, Identity.Customer)]
    public async Task A_customers_orders_page_to_the_end_newest_first_each_once()
    {
        var (sku, _) = await CreateProductAsync();
        var placed = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            placed.Add((await PlaceOrderAsync(sku: sku)).Json.GetProperty("id").GetString()!);
        }

        var pages = await Api.PagesAsync("v1/orders", Identity.Customer, pageSize: SmallPage);
        var badStatus = await Api.SendAsync("GET", "v1/orders?status=lost", Identity.Customer);

        var listed = pages.SelectMany(p => p).Select(o => o.GetProperty("id").GetString()!).ToList();
        Assert.Equal(Enumerable.Reverse(placed), listed.Where(placed.Contains));
        Assert.All(pages.SkipLast(1), page => Assert.Equal(SmallPage, page.Count));
        badStatus.AssertProblem(400);
    }
}

[Collection(LocalHostCollection.Name)]
public sealed class OrdersContractOnLocalHost(LocalHostApp app) : OrdersContract(app);

[Collection(DiscoveredAppCollection.Name)]
public sealed class OrdersContractOnDiscoveredTarget(DiscoveredApp app) : OrdersContract(app), IRunsOnDiscoveredTarget;
