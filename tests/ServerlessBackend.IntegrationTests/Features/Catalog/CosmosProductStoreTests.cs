using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Tests.Support;
using ServerlessBackend.Functions.Features.Catalog;

namespace ServerlessBackend.IntegrationTests.Features.Catalog;

public sealed class CosmosProductStoreTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly CosmosProductStore _store = new(cosmos.Containers);

    [Fact]
    public async Task A_created_product_reads_back_with_its_etag_and_a_duplicate_sku_conflicts()
    {
        var product = TestData.Product(TestData.NewTenant());

        var etag = await _store.CreateAsync(product, CancellationToken.None);
        var read = await _store.GetAsync(product.TenantId, product.Id, CancellationToken.None);

        Assert.Equal(etag, read!.ETag);
        Assert.Equal(product, read.Value);
        await Assert.ThrowsAsync<DocumentConflictException>(() => _store.CreateAsync(product, CancellationToken.None));
    }

    [Fact]
    public async Task Set_patches_only_the_given_fields_when_the_etag_matches()
    {
        var product = TestData.Product(TestData.NewTenant(), stock: 10);
        var etag = await _store.CreateAsync(product, CancellationToken.None);

        var patched = await _store.SetAsync(product.TenantId, product.Id, new ProductFields(TestData.Now.AddHours(1)) { AvailableStock = 3, Active = false }, etag, CancellationToken.None);

        Assert.NotEqual(etag, patched.ETag);
        Assert.Equal(product with { AvailableStock = 3, Active = false, UpdatedAt = TestData.Now.AddHours(1) }, patched.Value);
        Assert.Equal(patched.Value, (await _store.GetAsync(product.TenantId, product.Id, CancellationToken.None))!.Value);
    }

    [Fact]
    public async Task Set_can_clear_the_description_and_change_the_price()
    {
        var product = TestData.Product(TestData.NewTenant());
        var etag = await _store.CreateAsync(product, CancellationToken.None);

        var patched = await _store.SetAsync(product.TenantId, product.Id, new ProductFields(TestData.Now) { Name = "Decaf", SetDescription = true, Description = null, Price = 9.99m, Currency = "USD" }, etag, CancellationToken.None);

        Assert.Equal(product with { Name = "Decaf", Description = null, Price = 9.99m, Currency = "USD" }, patched.Value);
    }

    [Fact]
    public async Task Set_with_a_stale_etag_fails_and_changes_nothing()
    {
        var product = TestData.Product(TestData.NewTenant(), stock: 10);
        var first = await _store.CreateAsync(product, CancellationToken.None);
        await _store.SetAsync(product.TenantId, product.Id, new ProductFields(TestData.Now) { AvailableStock = 5 }, first, CancellationToken.None);

        await Assert.ThrowsAsync<DocumentPreconditionFailedException>(() =>
            _store.SetAsync(product.TenantId, product.Id, new ProductFields(TestData.Now) { AvailableStock = 0 }, first, CancellationToken.None));
        Assert.Equal(5, (await _store.GetAsync(product.TenantId, product.Id, CancellationToken.None))!.Value.AvailableStock);
    }

    [Fact]
    public async Task Set_on_an_unknown_product_is_not_found()
    {
        await Assert.ThrowsAsync<DocumentNotFoundException>(() =>
            _store.SetAsync(TestData.NewTenant(), "NOPE", new ProductFields(TestData.Now) { Active = false }, "\"x\"", CancellationToken.None));
    }

    [Fact]
    public async Task Get_many_returns_the_existing_products_of_that_tenant_only()
    {
        var tenant = TestData.NewTenant();
        var a = TestData.Product(tenant, "SKU-A");
        var b = TestData.Product(tenant, "SKU-B");
        var foreign = TestData.Product(TestData.NewTenant(), "SKU-C");
        foreach (var p in new[] { a, b, foreign })
        {
            await _store.CreateAsync(p, CancellationToken.None);
        }

        var found = await new CosmosProductLookup(cosmos.Containers).GetManyAsync(tenant, ["SKU-A", "SKU-C", "SKU-MISSING"], CancellationToken.None);

        Assert.Equal([a], found);
    }

    [Fact]
    public async Task Lists_a_tenants_products_page_by_page_with_continuation_tokens()
    {
        var tenant = TestData.NewTenant();
        var ids = Enumerable.Range(1, 5).Select(i => $"SKU-{i}").ToList();
        foreach (var id in ids)
        {
            await _store.CreateAsync(TestData.Product(tenant, id), CancellationToken.None);
        }

        await _store.CreateAsync(TestData.Product(TestData.NewTenant(), "SKU-1"), CancellationToken.None);

        var seen = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await _store.ListAsync(new ProductListQuery(tenant, null, 2, token), CancellationToken.None);
            Assert.InRange(page.Items.Count, 1, 2);
            seen.AddRange(page.Items.Select(p => p.Id));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(ids.Order(), seen.Order());
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Lists_only_the_active_or_only_the_inactive_products_page_by_page(bool active)
    {
        var tenant = TestData.NewTenant();
        var flags = new[] { true, false, true, false, true, false };
        for (var i = 0; i < flags.Length; i++)
        {
            await _store.CreateAsync(TestData.Product(tenant, $"SKU-{i}", active: flags[i]), CancellationToken.None);
        }

        await _store.CreateAsync(TestData.Product(TestData.NewTenant(), "SKU-0", active: active), CancellationToken.None);

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await _store.ListAsync(new ProductListQuery(tenant, active, 2, token), CancellationToken.None);
            seen.AddRange(page.Items.Select(p => p.Id));
            token = page.ContinuationToken;
        }
        while (token is not null && seen.Count < 10);

        Assert.Equal(Enumerable.Range(0, flags.Length).Where(i => flags[i] == active).Select(i => $"SKU-{i}"), seen.Order());
    }
}
