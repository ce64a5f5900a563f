using ServerlessBackend.ContractTests.Targets;
using ServerlessBackend.Load;

namespace ServerlessBackend.ContractTests;

/// <summary>Owner and tenant isolation: what belongs to another customer or tenant is a 404, like what does not exist, and never listed.</summary>
public abstract class IsolationContract(IContractApp app) : ContractSuite(app)
{
    [ContractFact(Identity.Admin, Identity.Customer, Identity.OtherCustomer)]
    public async Task Another_customers_order_is_404_to_read_or_cancel_and_not_in_their_list_while_the_admin_sees_it()
    {
        var id = (await PlaceOrderAsync()).Json.GetProperty("id").GetString()!;

        var read = await Api.SendAsync("GET", $"v1/orders/{id}", Identity.OtherCustomer);
        var cancel = await Api.SendAsync("POST", $"v1/orders/{id}/cancel", Identity.OtherCustomer);
        var theirs = (await Api.PagesAsync("v1/orders", Identity.OtherCustomer, pageSize: 100)).SelectMany(p => p).Select(o => o.GetProperty("id").GetString());
        var admin = await Api.SendAsync("GET", $"v1/orders/{id}", Identity.Admin);
        var owner = await Api.SendAsync("GET", $"v1/orders/{id}", Identity.Customer);

        read.AssertProblem(404);
        cancel.AssertProblem(404);
        Assert.DoesNotContain(id, theirs);
        admin.AssertStatus(200);
        Assert.Equal("pending", owner.Json.GetProperty("status").GetString());
    }

    [ContractFact(Identity.Admin, Identity.Customer, Identity.OtherTenantAdmin)]
    public async Task Another_tenant_sees_none_of_a_tenants_products_or_orders()
    {
        var (sku, etag) = await CreateProductAsync();
        var id = (await PlaceOrderAsync(sku: sku)).Json.GetProperty("id").GetString()!;

        var product = await Api.SendAsync("GET", $"v1/products/{sku}", Identity.OtherTenantAdmin);
        var stock = await Api.SendAsync("PUT", $"v1/products/{sku}/stock", Identity.OtherTenantAdmin, """{"availableStock":0}""", new Dictionary<string, string> { ["If-Match"] = etag });
        var order = await Api.SendAsync("GET", $"v1/orders/{id}", Identity.OtherTenantAdmin);
        var ship = await Api.SendAsync("POST", $"v1/orders/{id}/ship", Identity.OtherTenantAdmin, headers: new Dictionary<string, string> { ["If-Match"] = "\"x\"" });
        var products = (await Api.PagesAsync("v1/products", Identity.OtherTenantAdmin, pageSize: 100)).SelectMany(p => p).Select(p => p.GetProperty("id").GetString());
        var orders = (await Api.PagesAsync("v1/orders", Identity.OtherTenantAdmin, pageSize: 100)).SelectMany(p => p).Select(o => o.GetProperty("id").GetString());
        var unchanged = await Api.SendAsync("GET", $"v1/products/{sku}", Identity.Admin);

        product.AssertProblem(404);
        stock.AssertProblem(404);
        order.AssertProblem(404);
        ship.AssertProblem(404);
        Assert.DoesNotContain(sku, products);
        Assert.DoesNotContain(id, orders);
        Assert.Equal(etag, unchanged.Header("ETag"));
    }

    [ContractFact(Identity.Admin, Identity.OtherTenantAdmin)]
    public async Task A_continuation_token_issued_to_another_tenant_is_400()
    {
        for (var i = 0; i < 2; i++)
        {
            await CreateProductAsync();
        }

        var first = await Api.SendAsync("GET", "v1/products?pageSize=1", Identity.Admin);
        var token = first.Json.GetProperty("continuationToken").GetString()!;

        var foreign = await Api.SendAsync("GET", $"v1/products?pageSize=1&continuationToken={Uri.EscapeDataString(token)}", Identity.OtherTenantAdmin);

        foreign.AssertProblem(400);
    }
}

[Collection(LocalHostCollection.Name)]
public sealed class IsolationContractOnLocalHost(LocalHostApp app) : IsolationContract(app);

[Collection(DiscoveredAppCollection.Name)]
public sealed class IsolationContractOnDiscoveredTarget(DiscoveredApp app) : IsolationContract(app), IRunsOnDiscoveredTarget;
