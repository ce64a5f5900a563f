using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Platform.Auth;

/// <summary>
/// The second tenancy model: one directory for every customer (single-tenant app, or External ID), the shop named by an
/// app role <c>shop:{id}</c> (Auth__TenantClaim=roles, Auth__TenantClaimPrefix=shop:); each shop still onboarded.
/// </summary>
public sealed class ClaimTenancyTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>, IAsyncLifetime
{
    private readonly EntraApi _entra = new(cosmos);
    private readonly string _shop = TestData.NewTenant();
    private string _directory = "";

    public async Task InitializeAsync()
    {
        await _entra.InitializeAsync();
        _directory = _entra.OperatorDirectory;
        _entra.Options.Authority = _entra.Issuer.Authority(_directory);
        _entra.Options.TenantClaim = "roles";
        _entra.Options.TenantClaimPrefix = "shop:";
        await _entra.Api.OnboardAsync(_shop);
    }

    public Task DisposeAsync() => _entra.DisposeAsync();

    [Fact]
    public async Task The_shop_comes_from_the_prefixed_role_and_the_admin_role_still_counts()
    {
        Caller? seen = null;
        var token = _entra.Issuer.UserToken(_directory, "user-oid", roles: ["shop:" + _shop, AuthOptions.AdminRole]);

        var response = await _entra.Api.SendAsync("GET", "/api/v1/products", (r, ct) => { seen = r.HttpContext.GetCaller(); return _entra.Api.Catalog.Products(r, ct); }, token);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal((_shop, true), (seen!.TenantId, seen.IsAdmin));
    }

    [Theory]
    [InlineData("two shops name none")]
    [InlineData("no shop")]
    [InlineData("a shop not onboarded")]
    public async Task A_token_naming_no_onboarded_shop_or_two_is_403(string why)
    {
        string[] roles = why switch
        {
            "two shops name none" => ["shop:" + _shop, "shop:" + TestData.NewTenant()],
            "no shop" => [AuthOptions.AdminRole],
            _ => ["shop:" + TestData.NewTenant()],
        };
        var response = await _entra.Api.SendAsync("GET", "/api/v1/products", _entra.Api.Catalog.Products, _entra.Issuer.UserToken(_directory, "user-oid", roles: roles));

        ProblemAssertions.AssertProblem(response, 403);
    }

    [Fact]
    public async Task A_token_from_another_directory_is_401_whatever_shop_it_names()
    {
        var response = await _entra.Api.SendAsync("GET", "/api/v1/products", _entra.Api.Catalog.Products, _entra.Issuer.UserToken(LocalEntraIssuer.NewDirectory(), "user-oid", roles: ["shop:" + _shop]));

        ProblemAssertions.AssertProblem(response, 401);
    }
}
