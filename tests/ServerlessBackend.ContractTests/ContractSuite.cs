using ServerlessBackend.ContractTests.Targets;
using ServerlessBackend.Load;

namespace ServerlessBackend.ContractTests;

/// <summary>What every contract test class shares: the client on its app, and the few set-up steps many tests take.</summary>
public abstract class ContractSuite(IContractApp app) : IDisposable
{
    protected ContractClient Api { get; } = new(app);

    /// <summary>Small pages for the fresh tenants of minted tokens; on a deployment's long-lived tenant, pages that keep a walk to the end short.</summary>
    protected int SmallPage => Api.App.Identities.Mints ? 2 : 100;

    public void Dispose()
    {
        Api.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A new product of the admin's tenant; returns its SKU and ETag.</summary>
    protected async Task<(string Sku, string ETag)> CreateProductAsync(int stock = 100, Identity admin = Identity.Admin)
    {
        var sku = Samples.Sku();
        var created = await Api.SendAsync("POST", "v1/products", admin, Samples.Product(sku, stock));
        created.AssertStatus(201);
        return (sku, created.Header("ETag")!);
    }

    /// <summary>A new order of <paramref name="customer"/> for one unit of a new product; returns the 201 response.</summary>
    protected async Task<ApiResponse> PlaceOrderAsync(Identity customer = Identity.Customer, string? sku = null)
    {
        sku ??= (await CreateProductAsync()).Sku;
        var placed = await Api.SendAsync("POST", "v1/orders", customer, Samples.Order(sku), Samples.Key());
        placed.AssertStatus(201);
        return placed;
    }
}
