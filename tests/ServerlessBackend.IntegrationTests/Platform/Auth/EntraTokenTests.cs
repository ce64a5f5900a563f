using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Load;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Platform.Auth;

/// <summary>
/// Microsoft Entra ID's access tokens, v1.0 and v2.0, user and app-only, as a multi-tenant (B2B) deployment receives them:
/// the app reads the multi-tenant metadata of a local Entra-shaped issuer (<see cref="LocalEntraIssuer"/>) over HTTP and
/// validates Entra's issuer strings per directory.
/// </summary>
public sealed class EntraTokenTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>, IAsyncLifetime
{
    private const string Product = """{"id":"X","name":"x","price":1,"currency":"EUR","availableStock":1}""";

    private readonly EntraApi _entra = new(cosmos);
    private readonly string _directory = LocalEntraIssuer.NewDirectory();

    private ApiTestHost Api => _entra.Api;

    private LocalEntraIssuer Issuer => _entra.Issuer;

    public async Task InitializeAsync()
    {
        await _entra.InitializeAsync();
        await Api.OnboardAsync(_directory);
    }

    public Task DisposeAsync() => _entra.DisposeAsync();

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task A_user_token_of_either_version_from_an_onboarded_directory_is_a_customer_of_that_directory(int version)
    {
        var token = Issuer.UserToken(_directory, "user-oid", version, email: "alex@contoso.example");

        var (response, caller) = await ListProducts(token);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_directory, caller!.TenantId);
        Assert.Equal("alex@contoso.example", caller.Email);
        Assert.False(caller.IsAdmin || caller.IsApplication);
    }

    [Fact]
    public async Task A_v2_token_carries_the_client_id_and_a_v1_token_the_app_id_uri_and_both_are_accepted_audiences()
    {
        var v2 = await ListProducts(Issuer.UserToken(_directory, "user-oid", 2, audience: LocalEntraIssuer.ApiClientId));
        var v1ByUri = await ListProducts(Issuer.UserToken(_directory, "user-oid", 1, audience: LocalEntraIssuer.AppIdUri));
        var v1ByClientId = await ListProducts(Issuer.UserToken(_directory, "user-oid", 1, audience: LocalEntraIssuer.ApiClientId));

        Assert.All(new[] { v2, v1ByUri, v1ByClientId }, r => Assert.Equal(200, r.Response.StatusCode));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task A_token_for_another_audience_is_401(int version)
    {
        var response = await Api.SendAsync("GET", "/api/v1/products", Api.Catalog.Products, Issuer.UserToken(_directory, "user-oid", version, audience: "api://another-api"));

        ProblemAssertions.AssertProblem(response, 401);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task A_token_whose_iss_names_another_directory_than_its_tid_is_401_even_when_both_are_onboarded(int version)
    {
        var other = LocalEntraIssuer.NewDirectory();
        await Api.OnboardAsync(other);
        var ran = false;

        var response = await Api.SendAsync("GET", "/api/v1/products", (r, ct) => { ran = true; return Api.Catalog.Products(r, ct); }, Issuer.UserToken(_directory, "user-oid", version, issuerTenant: other));

        ProblemAssertions.AssertProblem(response, 401);
        Assert.False(ran);
    }

    [Fact]
    public async Task A_token_from_a_directory_that_is_not_onboarded_is_403_naming_onboarding_and_the_function_never_runs()
    {
        var ran = false;

        var response = await Api.SendAsync("GET", "/api/v1/products", (r, ct) => { ran = true; return Api.Catalog.Products(r, ct); }, Issuer.UserToken(LocalEntraIssuer.NewDirectory(), "user-oid", roles: ["admin"]));

        ProblemAssertions.AssertProblem(response, 403);
        Assert.Equal(CallerAdmission.NotOnboardedType, response.Json.GetProperty("type").GetString());
        Assert.Contains("not onboarded", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(ran);
    }

    [Fact]
    public async Task A_suspended_directory_is_403_naming_onboarding()
    {
        var suspended = LocalEntraIssuer.NewDirectory();
        await Api.OnboardAsync(suspended, Functions.Platform.Auth.TenantStatus.Suspended);

        var response = await Api.SendAsync("GET", "/api/v1/products", Api.Catalog.Products, Issuer.UserToken(suspended, "user-oid"));

        ProblemAssertions.AssertProblem(response, 403);
        Assert.Equal(CallerAdmission.NotOnboardedType, response.Json.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_key_that_names_one_directory_signs_only_that_directorys_tokens()
    {
        var other = LocalEntraIssuer.NewDirectory();
        await Api.OnboardAsync(other);
        var key = Issuer.AddDirectoryKey(_directory);

        var own = await ListProducts(Issuer.UserToken(_directory, "user-oid", signingKey: key));
        var foreign = await ListProducts(Issuer.UserToken(other, "user-oid", signingKey: key));

        Assert.Equal(200, own.Response.StatusCode);
        ProblemAssertions.AssertProblem(foreign.Response, 401);
    }

    [Fact]
    public async Task A_rolled_signing_key_is_fetched_once_when_a_token_names_it()
    {
        await ListProducts(Issuer.UserToken(_directory, "user-oid"));
        var before = Issuer.MetadataRequests;
        Issuer.RollKeys();

        var first = await ListProducts(Issuer.UserToken(_directory, "user-oid"));
        var afterRefresh = Issuer.MetadataRequests;
        var second = await ListProducts(Issuer.UserToken(_directory, "user-oid"));
        // A made-up key id right after: no second download within the refresh interval.
        using var unpublished = System.Security.Cryptography.RSA.Create(2048);
        var madeUp = await ListProducts(Issuer.UserToken(_directory, "user-oid", signingKey: new Microsoft.IdentityModel.Tokens.RsaSecurityKey(unpublished) { KeyId = "made-up" }));

        Assert.Equal(200, first.Response.StatusCode);
        ProblemAssertions.AssertProblem(madeUp.Response, 401);
        Assert.Equal(200, second.Response.StatusCode);
        Assert.Equal(4, before); // v2.0 and v1.0 metadata, each with its key set
        Assert.Equal(8, afterRefresh);
        Assert.Equal(afterRefresh, Issuer.MetadataRequests);
    }

    [Fact]
    public async Task An_expired_token_is_401()
    {
        var (response, _) = await ListProducts(Issuer.UserToken(_directory, "user-oid", expires: DateTimeOffset.UtcNow.AddMinutes(-5)));

        ProblemAssertions.AssertProblem(response, 401);
    }

    public static TheoryData<int, bool> AppTokenKinds() => new() { { 2, false }, { 2, true }, { 1, false } };

    /// <summary>
    /// App-only tokens come from Entra's token endpoint (client credentials, the contract suite's own client), for each
    /// token version, with and without the idtyp optional claim: with the admin app role an application administers its
    /// directory's shop; it is never a customer; without the role it is refused.
    /// </summary>
    [Theory]
    [MemberData(nameof(AppTokenKinds))]
    public async Task An_app_only_token_acts_only_through_the_admin_app_role_and_is_never_a_customer(int version, bool idtyp)
    {
        Issuer.AccessTokenVersion = version;
        Issuer.IdtypClaim = idtyp;
        Issuer.RegisterClient("admin-app", "s3cret", _directory, AuthOptions.AdminRole);
        Issuer.RegisterClient("plain-app", "s3cret", _directory);
        var identities = new ApiIdentities(Environment(
            ("API_TOKEN_ENDPOINT", Issuer.TokenEndpoint(_directory)),
            ("API_TOKEN_SCOPE", (version == 2 ? LocalEntraIssuer.ApiClientId : LocalEntraIssuer.AppIdUri) + "/.default"),
            ("API_CLIENT_ID_ADMIN", "admin-app"), ("API_CLIENT_SECRET_ADMIN", "s3cret"),
            ("API_CLIENT_ID_CUSTOMER", "plain-app"), ("API_CLIENT_SECRET_CUSTOMER", "s3cret")));
        var admin = await identities.TokenAsync(Identity.Admin);
        var plain = await identities.TokenAsync(Identity.Customer);

        var created = await Api.SendAsync("POST", "/api/v1/products", Api.Catalog.Products, admin, Product);
        var order = await Api.SendAsync("POST", "/api/v1/orders", Api.Orders.Orders, admin, """{"lines":[{"productId":"X","quantity":1}],"contactEmail":"ops@contoso.example"}""", new Dictionary<string, string> { ["Idempotency-Key"] = "k1" });
        var refused = await Api.SendAsync("GET", "/api/v1/products", Api.Catalog.Products, plain);

        Assert.Equal(201, created.StatusCode);
        ProblemAssertions.AssertProblem(order, 403);
        ProblemAssertions.AssertProblem(refused, 403);
        Assert.Contains("app role", refused.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_contract_suites_client_credentials_get_one_token_endpoint_per_caller_so_two_directories_are_two_tenants()
    {
        var other = LocalEntraIssuer.NewDirectory();
        await Api.OnboardAsync(other);
        Issuer.RegisterClient("admin-a", "a", _directory, AuthOptions.AdminRole);
        Issuer.RegisterClient("admin-b", "b", other, AuthOptions.AdminRole);
        var identities = new ApiIdentities(Environment(
            ("API_TOKEN_ENDPOINT", Issuer.TokenEndpoint(_directory)),
            ("API_TOKEN_ENDPOINT_OTHER_TENANT_ADMIN", Issuer.TokenEndpoint(other)),
            ("API_TOKEN_SCOPE", LocalEntraIssuer.AppIdUri + "/.default"),
            ("API_CLIENT_ID_ADMIN", "admin-a"), ("API_CLIENT_SECRET_ADMIN", "a"),
            ("API_CLIENT_ID_OTHER_TENANT_ADMIN", "admin-b"), ("API_CLIENT_SECRET_OTHER_TENANT_ADMIN", "b")));

        var a = await ListProducts(await identities.TokenAsync(Identity.Admin));
        var b = await ListProducts(await identities.TokenAsync(Identity.OtherTenantAdmin));

        Assert.Equal((_directory, true), (a.Caller!.TenantId, a.Caller.IsAdmin));
        Assert.Equal((other, true), (b.Caller!.TenantId, b.Caller.IsAdmin));
    }

    [Fact]
    public async Task A_wrong_client_secret_is_a_failure_of_the_token_request_not_a_token()
    {
        Issuer.RegisterClient("admin-app", "right", _directory, AuthOptions.AdminRole);
        var identities = new ApiIdentities(Environment(
            ("API_TOKEN_ENDPOINT", Issuer.TokenEndpoint(_directory)), ("API_TOKEN_SCOPE", LocalEntraIssuer.AppIdUri + "/.default"),
            ("API_CLIENT_ID_ADMIN", "admin-app"), ("API_CLIENT_SECRET_ADMIN", "wrong")));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => identities.TokenAsync(Identity.Admin));

        Assert.Contains("invalid_client", failure.Message, StringComparison.Ordinal);
    }

    private async Task<(TestResponse Response, Caller? Caller)> ListProducts(string token)
    {
        Caller? seen = null;
        var response = await Api.SendAsync("GET", "/api/v1/products", (r, ct) => { seen = r.HttpContext.GetCaller(); return Api.Catalog.Products(r, ct); }, token);
        return (response, seen);
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
