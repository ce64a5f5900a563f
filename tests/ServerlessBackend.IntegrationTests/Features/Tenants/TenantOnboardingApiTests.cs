using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Tenants;

/// <summary>
/// Onboarding is an operator's API call with a record in Cosmos, not a code change: PUT /v1/operator/tenants/{id} lets a
/// directory in, suspends it (offboarding) and lets it in again, each change in the record's history; who may do it.
/// </summary>
public sealed class TenantOnboardingApiTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>, IAsyncLifetime
{
    private readonly EntraApi _entra = new(cosmos);
    private readonly string _customer = LocalEntraIssuer.NewDirectory();

    private ApiTestHost Api => _entra.Api;

    public Task InitializeAsync() => _entra.InitializeAsync();

    public Task DisposeAsync() => _entra.DisposeAsync();

    [Fact]
    public async Task An_operator_onboards_a_directory_suspends_it_and_lets_it_in_again_each_step_taking_effect_at_once()
    {
        var user = _entra.Issuer.UserToken(_customer, "user-oid");
        var before = await List(user);

        var onboarded = await Put(_entra.Operator(), _customer, """{"displayName":"Contoso"}""");
        var admitted = await List(user);
        var again = await Put(_entra.Operator(), _customer, """{"displayName":"Contoso"}""");
        var suspended = await Put(_entra.Operator(), _customer, """{"displayName":"Contoso","status":"suspended"}""");
        var refused = await List(user);
        var reactivated = await Put(_entra.Operator(), _customer, """{"displayName":"Contoso Ltd","status":"active"}""");
        var readmitted = await List(user);
        var read = await Api.SendAsync("GET", $"/api/v1/operator/tenants/{_customer}", (r, ct) => Api.Tenants.Tenant(r, _customer, ct), _entra.Operator());

        Assert.Equal(CallerAdmission.NotOnboardedType, before.Json.GetProperty("type").GetString());
        Assert.Equal(201, onboarded.StatusCode);
        Assert.Equal($"/api/v1/operator/tenants/{_customer}", onboarded.Headers.Location.ToString());
        Assert.Equal(200, admitted.StatusCode);
        Assert.Equal((200, 1), (again.StatusCode, again.Json.GetProperty("history").GetArrayLength()));
        Assert.Equal("suspended", suspended.Json.GetProperty("status").GetString());
        ProblemAssertions.AssertProblem(refused, 403);
        Assert.Equal(CallerAdmission.NotOnboardedType, refused.Json.GetProperty("type").GetString());
        Assert.Equal(200, readmitted.StatusCode);
        Assert.Equal(200, read.StatusCode);
        Assert.Equal("Contoso Ltd", read.Json.GetProperty("displayName").GetString());
        Assert.Equal(
            ["onboarded", "suspended", "reactivated"],
            read.Json.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()!));
        // By whom: the operator's subject, the same in every entry.
        Assert.Single(read.Json.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("by").GetString()).Distinct());
    }

    public static TheoryData<string, string> NotOperators() => new()
    {
        // A customer directory's admin can assign the app's operator role to its own users: the role alone is not enough.
        { "the operator role from a customer directory", "customer-operator" },
        { "an onboarded tenant's admin", "admin" },
        { "a user of the operator's directory without the role", "operator-directory-user" },
    };

    [Theory]
    [MemberData(nameof(NotOperators))]
    public async Task Only_the_operator_role_from_the_operators_own_directory_may_onboard(string who, string kind)
    {
        await Api.OnboardAsync(_customer);
        var token = kind switch
        {
            "customer-operator" => _entra.Issuer.UserToken(_customer, "rogue", roles: [AuthOptions.OperatorRole]),
            "admin" => _entra.Issuer.UserToken(_customer, "boss", roles: [AuthOptions.AdminRole]),
            _ => _entra.Issuer.UserToken(_entra.OperatorDirectory, "someone"),
        };
        var victim = LocalEntraIssuer.NewDirectory();

        var response = await Put(token, victim, """{"displayName":"Fabrikam"}""");
        var read = await Api.SendAsync("GET", $"/api/v1/operator/tenants/{victim}", (r, ct) => Api.Tenants.Tenant(r, victim, ct), _entra.Operator());

        ProblemAssertions.AssertProblem(response, 403);
        Assert.Contains("operator", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        ProblemAssertions.AssertProblem(read, 404);
        Assert.NotNull(who);
    }

    [Fact]
    public async Task Operator_routes_need_a_token_and_the_operators_directory_need_not_be_onboarded_as_a_shop()
    {
        var anonymous = await Api.SendAsync("PUT", $"/api/v1/operator/tenants/{_customer}", (r, ct) => Api.Tenants.Tenant(r, _customer, ct), body: """{"displayName":"x"}""");
        var asShop = await List(_entra.Operator());

        ProblemAssertions.AssertProblem(anonymous, 401);
        ProblemAssertions.AssertProblem(asShop, 403);
    }

    [Theory]
    [InlineData("""{"displayName":""}""", "displayName")]
    [InlineData("""{"displayName":"x","status":"gone"}""", null)]
    [InlineData("""{"displayName":"x","plan":"gold"}""", null)]
    public async Task A_body_that_does_not_say_what_the_record_should_be_is_400_and_writes_nothing(string body, string? field)
    {
        var response = await Put(_entra.Operator(), _customer, body);
        var read = await Api.SendAsync("GET", $"/api/v1/operator/tenants/{_customer}", (r, ct) => Api.Tenants.Tenant(r, _customer, ct), _entra.Operator());

        ProblemAssertions.AssertProblem(response, 400);
        if (field is not null)
        {
            Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _), response.Body);
        }

        ProblemAssertions.AssertProblem(read, 404);
    }

    [Fact]
    public async Task Concurrent_changes_of_one_tenant_all_land_in_its_history()
    {
        await Put(_entra.Operator(), _customer, """{"displayName":"Contoso"}""");

        var renames = await Task.WhenAll(Enumerable.Range(1, 4).Select(i => Put(_entra.Operator(), _customer, $$"""{"displayName":"Contoso {{i}}"}""")));
        var read = await Api.SendAsync("GET", $"/api/v1/operator/tenants/{_customer}", (r, ct) => Api.Tenants.Tenant(r, _customer, ct), _entra.Operator());

        Assert.All(renames, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(5, read.Json.GetProperty("history").GetArrayLength());
    }

    [Fact]
    public async Task Each_operator_change_is_in_the_tenants_audit_log_and_a_refused_one_is_not()
    {
        await Put(_entra.Operator(), _customer, """{"displayName":"Contoso"}""");
        await Put(_entra.Operator(), _customer, """{"displayName":"Contoso Ltd"}""");
        await Put(_entra.Operator(), _customer, """{"displayName":"Contoso Ltd"}"""); // no change: nothing written
        ProblemAssertions.AssertProblem(await Put(_entra.Operator(), _customer, """{"displayName":"x","status":"gone"}"""), 400);
        var admin = _entra.Issuer.UserToken(_customer, "admin-oid", roles: [AuthOptions.AdminRole]);

        var log = await Api.SendAsync("GET", "/api/v1/admin/audit", Api.Audit.AuditLog, admin);

        Assert.Equal(200, log.StatusCode);
        var entries = log.Json.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["tenant.renamed", "tenant.onboarded"], entries.Select(e => e.GetProperty("operation").GetString()));
        var record = await Api.SendAsync("GET", $"/api/v1/operator/tenants/{_customer}", (r, ct) => Api.Tenants.Tenant(r, _customer, ct), _entra.Operator());
        var by = record.Json.GetProperty("history")[0].GetProperty("by").GetString();
        Assert.All(entries, e => Assert.Equal($$"""{"subject":"{{by}}","kind":"operator"}""", e.GetProperty("actor").GetRawText()));
        Assert.Equal("""{"displayName":"Contoso"}""", entries[0].GetProperty("before").GetRawText());
        Assert.Equal("""{"displayName":"Contoso Ltd"}""", entries[0].GetProperty("after").GetRawText());
        Assert.Equal("""{"displayName":"Contoso","status":"active"}""", entries[1].GetProperty("after").GetRawText());
    }

    private Task<TestResponse> Put(string token, string tenantId, string body) =>
        Api.SendAsync("PUT", $"/api/v1/operator/tenants/{tenantId}", (r, ct) => Api.Tenants.Tenant(r, tenantId, ct), token, body);

    private Task<TestResponse> List(string token) => Api.SendAsync("GET", "/api/v1/products", Api.Catalog.Products, token);
}
