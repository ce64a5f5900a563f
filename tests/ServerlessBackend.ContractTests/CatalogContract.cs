using System.Globalization;
using System.Text.Json;
using ServerlessBackend.ContractTests.Targets;
using ServerlessBackend.Load;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.ContractTests;

/// <summary>The catalog: create with Location and ETag, conflicts, input errors, If-Match rules, deactivation, paging to the end.</summary>
public abstract class CatalogContract(IContractApp app) : ContractSuite(app)
{
    [ContractFact(Identity.Admin)]
    public async Task Create_is_201_with_location_and_etag_and_the_location_reads_the_product_back()
    {
        var sku = Samples.Sku();

        var created = await Api.SendAsync("POST", "v1/products", Identity.Admin, Samples.Product(sku, stock: 7));
        var read = await Api.SendAsync("GET", created.Header("Location")!, Identity.Admin);

        created.AssertStatus(201);
        Assert.Equal($"{Api.App.BaseUrl.AbsolutePath}v1/products/{sku}", created.Header("Location"));
        Assert.Matches("^\"[^\"]+\"$", created.Header("ETag"));
        Assert.Equal(sku, created.Json.GetProperty("id").GetString());
        read.AssertStatus(200);
        Assert.Equal(created.Header("ETag"), read.Header("ETag"));
        Assert.Equal(7, read.Json.GetProperty("availableStock").GetInt32());
    }

    [ContractFact(Identity.Admin, Identity.OtherTenantAdmin)]
    public async Task Get_with_a_matching_if_none_match_is_304_with_the_etag_and_no_body_and_another_tenant_still_gets_404()
    {
        var (sku, etag) = await CreateProductAsync();

        var current = await Api.SendAsync("GET", $"v1/products/{sku}", Identity.Admin, headers: new Dictionary<string, string> { ["If-None-Match"] = etag });
        var wildcard = await Api.SendAsync("GET", $"v1/products/{sku}", Identity.Admin, headers: new Dictionary<string, string> { ["If-None-Match"] = "*" });
        var malformed = await Api.SendAsync("GET", $"v1/products/{sku}", Identity.Admin, headers: new Dictionary<string, string> { ["If-None-Match"] = "\"a\" \"b\"" });
        var otherTenant = await Api.SendAsync("GET", $"v1/products/{sku}", Identity.OtherTenantAdmin, headers: new Dictionary<string, string> { ["If-None-Match"] = etag });

        current.AssertStatus(304);
        Assert.Equal(etag, current.Header("ETag"));
        Assert.Empty(current.Body);
        wildcard.AssertStatus(304);
        malformed.AssertProblem(400);
        otherTenant.AssertProblem(404);
    }

    [ContractFact(Identity.Admin)]
    public async Task A_sku_that_exists_is_409_for_another_body_and_a_retry_of_its_create_is_the_201_again()
    {
        var (sku, etag) = await CreateProductAsync();

        var other = await Api.SendAsync("POST", "v1/products", Identity.Admin, Samples.Product(sku, price: 99m));
        var retry = await Api.SendAsync("POST", "v1/products", Identity.Admin, Samples.Product(sku));

        other.AssertProblem(409);
        retry.AssertStatus(201);
        Assert.Equal("true", retry.Header("Idempotent-Replayed"));
        Assert.Equal(etag, retry.Header("ETag"));
    }

    [ContractFact(Identity.Customer)]
    public async Task A_customer_cannot_manage_the_catalog_403_whatever_the_body()
    {
        foreach (var (method, path) in new[] { ("POST", "v1/products"), ("PUT", "v1/products/X-1"), ("PUT", "v1/products/X-1/stock"), ("POST", "v1/products/X-1/deactivate") })
        {
            var response = await Api.SendAsync(method, path, Identity.Customer, """{"unexpected":true}""", new Dictionary<string, string> { ["If-Match"] = "\"1\"" });

            response.AssertProblem(403);
        }
    }

    [ContractFact(Identity.Admin)]
    public async Task Bad_bodies_are_400_415_and_413_problem_details_and_nothing_is_stored()
    {
        var sku = Samples.Sku();

        var invalid = await Api.SendAsync("POST", "v1/products", Identity.Admin, $$"""{"id":"{{sku}}","name":"","price":-1,"currency":"EURO","availableStock":1}""");
        var unknownProperty = await Api.SendAsync("POST", "v1/products", Identity.Admin, $$"""{"id":"{{sku}}","name":"x","price":1,"currency":"EUR","availableStock":1,"tenantId":"t"}""");
        var malformed = await Api.SendAsync("POST", "v1/products", Identity.Admin, "{\"id\":");
        var notJson = await Api.SendAsync("POST", "v1/products", Identity.Admin, Samples.Product(sku), contentType: "text/plain");
        var tooLarge = await Api.SendAsync("POST", "v1/products", Identity.Admin, $$"""{"id":"{{sku}}","name":"x","description":"{{new string('d', 70 * 1024)}}","price":1,"currency":"EUR","availableStock":1}""");
        var read = await Api.SendAsync("GET", $"v1/products/{sku}", Identity.Admin);

        invalid.AssertProblem(400);
        Assert.True(invalid.Json.GetProperty("errors").EnumerateObject().Count() >= 3, invalid.Body);
        unknownProperty.AssertProblem(400);
        malformed.AssertProblem(400);
        notJson.AssertProblem(415);
        tooLarge.AssertProblem(413);
        read.AssertProblem(404);
    }

    [ContractFact(Identity.Admin)]
    public async Task Changes_need_if_match_428_a_strong_etag_400_the_current_one_412_and_then_get_a_new_one()
    {
        var (sku, etag) = await CreateProductAsync();
        var body = """{"name":"Renamed beans","price":13.25,"currency":"EUR"}""";

        var missing = await Api.SendAsync("PUT", $"v1/products/{sku}", Identity.Admin, body);
        var wildcard = await Api.SendAsync("PUT", $"v1/products/{sku}", Identity.Admin, body, IfMatch("*"));
        var stale = await Api.SendAsync("PUT", $"v1/products/{sku}", Identity.Admin, body, IfMatch("\"stale\""));
        var updated = await Api.SendAsync("PUT", $"v1/products/{sku}", Identity.Admin, body, IfMatch(etag));
        var withOldETag = await Api.SendAsync("PUT", $"v1/products/{sku}/stock", Identity.Admin, """{"availableStock":5}""", IfMatch(etag));
        var stock = await Api.SendAsync("PUT", $"v1/products/{sku}/stock", Identity.Admin, """{"availableStock":5}""", IfMatch(updated.Header("ETag")!));

        missing.AssertProblem(428);
        wildcard.AssertProblem(400);
        stale.AssertProblem(412);
        updated.AssertStatus(200);
        Assert.Equal("Renamed beans", updated.Json.GetProperty("name").GetString());
        Assert.NotEqual(etag, updated.Header("ETag"));
        withOldETag.AssertProblem(412);
        stock.AssertStatus(200);
        Assert.Equal(5, stock.Json.GetProperty("availableStock").GetInt32());
    }

    [ContractFact(Identity.Admin, Identity.Customer)]
    public async Task A_deactivated_product_is_404_for_customers_and_an_order_for_it_is_422()
    {
        var (sku, etag) = await CreateProductAsync();

        var deactivated = await Api.SendAsync("POST", $"v1/products/{sku}/deactivate", Identity.Admin, headers: IfMatch(etag));
        var customerRead = await Api.SendAsync("GET", $"v1/products/{sku}", Identity.Customer);
        var order = await Api.SendAsync("POST", "v1/orders", Identity.Customer, Samples.Order(sku), Samples.Key());

        deactivated.AssertStatus(200);
        customerRead.AssertProblem(404);
        order.AssertProblem(422);
    }

    [ContractFact(Identity.Admin)]
    public async Task The_catalog_pages_to_the_end_with_every_product_once_and_bad_paging_is_400()
    {
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await CreateProductAsync()).Sku);
        }

        var pages = await Api.PagesAsync("v1/products", Identity.Admin, pageSize: SmallPage);
        var badSize = await Api.SendAsync("GET", "v1/products?pageSize=0", Identity.Admin);
        var badToken = await Api.SendAsync("GET", "v1/products?continuationToken=not-a-token", Identity.Admin);

        var ids = pages.SelectMany(p => p).Select(p => p.GetProperty("id").GetString()!).ToList();
        Assert.All(created, sku => Assert.Single(ids, sku));
        Assert.All(pages.SkipLast(1), page => Assert.Equal(SmallPage, page.Count));
        badSize.AssertProblem(400);
        badToken.AssertProblem(400);
    }

    private static Dictionary<string, string> IfMatch(string etag) => new() { ["If-Match"] = etag };
}

[Collection(LocalHostCollection.Name)]
public sealed class CatalogContractOnLocalHost(LocalHostApp app) : CatalogContract(app)
{
    /// <summary>
    /// Over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT the Functions host refuses the body before the worker runs, with an empty
    /// 500 (its ExceptionMiddleware maps Kestrel's 413 exception to 500): the local host answers the same, never kinder.
    /// Only API Management in front turns such a body into a 413 problem (infra/modules/apim-policy.xml).
    /// </summary>
    [ContractFact(Identity.Admin)]
    public async Task A_body_over_the_hosts_limit_gets_the_hosts_empty_500_and_under_it_the_apps_413_problem()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRoot("local.settings.sample.json")));
        var limit = int.Parse(sample.RootElement.GetProperty("Values").GetProperty("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT").GetString()!, CultureInfo.InvariantCulture);
        static string Product(string sku, int descriptionLength) => $$"""{"id":"{{sku}}","name":"x","description":"{{new string('d', descriptionLength)}}","price":1,"currency":"EUR","availableStock":1}""";
        var (under, over) = (Samples.Sku(), Samples.Sku());

        var underTheHostsLimit = await Api.SendAsync("POST", "v1/products", Identity.Admin, Product(under, limit - 200));
        ApiResponse? overTheHostsLimit = null;
        try
        {
            overTheHostsLimit = await Api.SendAsync("POST", "v1/products", Identity.Admin, Product(over, limit));
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
            // The host answers before reading the body and closes the connection: a client still sending it may see the
            // close (broken pipe, reset) instead of the 500, with the real host as with this one.
        }

        underTheHostsLimit.AssertProblem(413);
        if (overTheHostsLimit is not null)
        {
            Assert.Equal((500, ""), (overTheHostsLimit.Status, overTheHostsLimit.Body));
        }

        (await Api.SendAsync("GET", $"v1/products/{over}", Identity.Admin)).AssertStatus(404);
    }
}

[Collection(DiscoveredAppCollection.Name)]
public sealed class CatalogContractOnDiscoveredTarget(DiscoveredApp app) : CatalogContract(app), IRunsOnDiscoveredTarget;
