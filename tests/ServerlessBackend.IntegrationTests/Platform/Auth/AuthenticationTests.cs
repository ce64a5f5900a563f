using Microsoft.Extensions.Hosting;
using Moq;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Platform.Auth;

/// <summary>The bearer-token matrix, through the real middleware and the real OpenID Connect key retrieval.</summary>
public sealed class AuthenticationTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();

    public static TheoryData<string, string?> RefusedTokens() => new()
    {
        { "no token", null },
        { "expired", TestTokens.Mint("t", "alice", expires: DateTime.UtcNow.AddMinutes(-5)) },
        { "issued in the future (valid from now on)", TestTokens.Mint("t", "alice", issuedAt: DateTime.UtcNow.AddHours(1), expires: DateTime.UtcNow.AddHours(2)) },
        { "valid for longer than any issuer grants", TestTokens.Mint("t", "alice", issuedAt: DateTime.UtcNow, expires: DateTime.UtcNow.AddYears(10)) },
        { "wrong audience", TestTokens.Mint("t", "alice", audience: "api://someone-else") },
        { "wrong issuer", TestTokens.Mint("t", "alice", issuer: "https://login.example.test/other/v2.0") },
        { "bad signature", TestTokens.Mint("t", "alice", signWithUnpublishedKey: true) },
        { "not a JWT", "not-a-token" },
    };

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task A_missing_or_invalid_token_is_401_with_a_bearer_challenge_and_the_function_never_runs(string why, string? token)
    {
        var ran = false;

        var response = await _api.SendAsync("GET", "/api/v1/products", (r, ct) => { ran = true; return _api.Catalog.Products(r, ct); }, token);

        ProblemAssertions.AssertProblem(response, 401);
        Assert.Equal("Bearer", response.Headers.WWWAuthenticate.ToString());
        Assert.False(ran, why);
    }

    public static TheoryData<string> ProtectedRoutes() => [.. Routes.Keys];

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task Every_protected_route_is_401_without_a_token(string route)
    {
        var ran = false;

        var response = await _api.SendAsync(route.Split(' ')[0], route.Split(' ')[1], (r, ct) => { ran = true; return Routes[route](_api, r, ct); });

        ProblemAssertions.AssertProblem(response, 401);
        Assert.False(ran);
    }

    [Theory]
    [InlineData("POST /api/v1/products")]
    [InlineData("PUT /api/v1/products/X")]
    [InlineData("PUT /api/v1/products/X/stock")]
    [InlineData("POST /api/v1/products/X/deactivate")]
    public async Task Admin_routes_are_403_for_a_customer(string route)
    {
        // Whatever the body and headers: the role is checked first.
        var response = await _api.SendAsync(route.Split(' ')[0], route.Split(' ')[1], (r, ct) => Routes[route](_api, r, ct), _tenant.Alice, """{"unexpected":true}""");

        ProblemAssertions.AssertProblem(response, 403);
    }

    private static readonly Dictionary<string, Func<ApiTestHost, Microsoft.AspNetCore.Http.HttpRequest, CancellationToken, Task<Microsoft.AspNetCore.Http.IResult>>> Routes = new()
    {
        ["POST /api/v1/products"] = (api, r, ct) => api.Catalog.Products(r, ct),
        ["GET /api/v1/products"] = (api, r, ct) => api.Catalog.Products(r, ct),
        ["GET /api/v1/products/X"] = (api, r, ct) => api.Catalog.Product(r, "X", ct),
        ["PUT /api/v1/products/X"] = (api, r, ct) => api.Catalog.Product(r, "X", ct),
        ["PUT /api/v1/products/X/stock"] = (api, r, ct) => api.Catalog.ProductStock(r, "X", ct),
        ["POST /api/v1/products/X/deactivate"] = (api, r, ct) => api.Catalog.ProductDeactivation(r, "X", ct),
        ["POST /api/v1/orders"] = (api, r, ct) => api.Orders.Orders(r, ct),
        ["GET /api/v1/orders"] = (api, r, ct) => api.Orders.Orders(r, ct),
        ["GET /api/v1/orders/ord-1"] = (api, r, ct) => api.Orders.Order(r, "ord-1", ct),
        ["POST /api/v1/orders/ord-1/cancel"] = (api, r, ct) => api.Orders.OrderCancellation(r, "ord-1", ct),
    };

    [Fact]
    public async Task The_OpenAPI_document_needs_a_token_while_the_health_probes_stay_anonymous()
    {
        string EntryPoint(string function) => FunctionsMetadata.Function(function).GetProperty("entryPoint").GetString()!;
        var ran = false;

        var anonymous = await _api.SendAsync("GET", "/api/openapi.json", (r, _) => { ran = true; return OpenApiFunction.Run(r); }, entryPoint: EntryPoint("OpenApiDocument"));
        var authenticated = await _api.SendAsync("GET", "/api/openapi.json", (r, _) => OpenApiFunction.Run(r), _tenant.Alice, entryPoint: EntryPoint("OpenApiDocument"));
        var health = await _api.SendAsync("GET", "/api/health", (r, _) => new HealthFunction(TimeProvider.System).Run(r), entryPoint: EntryPoint("Health"));

        ProblemAssertions.AssertProblem(anonymous, 401);
        Assert.False(ran);
        Assert.Equal(200, authenticated.StatusCode);
        Assert.Equal(200, health.StatusCode);
    }

    [Fact]
    public async Task A_scheme_other_than_bearer_is_401()
    {
        var response = await _api.SendAsync("GET", "/api/v1/products", _api.Catalog.Products, headers: new Dictionary<string, string> { ["Authorization"] = "Basic YWxpY2U6c2VjcmV0" });

        ProblemAssertions.AssertProblem(response, 401);
    }

    [Fact]
    public async Task A_valid_token_without_a_tenant_claim_is_403()
    {
        var response = await _api.SendAsync("GET", "/api/v1/products", _api.Catalog.Products, TestTokens.Mint("t", "alice", withTenant: false));

        ProblemAssertions.AssertProblem(response, 403);
    }

    public static TheoryData<string, object> UnusableIdentifiers() => new()
    {
        { "blank", "  " },
        { "empty", "" },
        { "longer than 256 characters", new string('t', 257) },
        { "a control character", "shop\u0001" },
        { "a line break", "shop\n1" },
        { "a trailing line feed", "shop-1\n" },
        { "a C1 control character", "shop\u00851" },
        { "the line separator U+2028", "shop\u20281" },
        { "only a zero-width space", "\u200b" },
        { "a bidi override", "shop\u202e1" },
        { "a byte order mark", "\ufeffshop-1" },
        { "two values", new[] { "shop-1", "shop-2" } },
        { "a one-element array", new[] { "shop-1" } },
        { "a number", 42 },
        { "a fraction", 4.2 },
        { "a boolean", true },
        { "an object", new Dictionary<string, object> { ["id"] = "shop-1" } },
    };

    /// <summary>
    /// The claims that identify the tenant and the caller are JSON strings of printable characters, nothing else: a number,
    /// boolean, object or array is not taken as its text (42 and "42" would be one tenant), and an invisible or
    /// control character is refused. Each is a 403 with a problem body, and the function never runs.
    /// </summary>
    [Theory]
    [MemberData(nameof(UnusableIdentifiers))]
    public async Task A_tenant_or_subject_claim_that_is_not_a_printable_json_string_is_403_with_a_problem_and_the_function_never_runs(string why, object value)
    {
        var ran = false;
        var badTenant = TestTokens.MintClaims(new Dictionary<string, object> { ["tid"] = value, ["sub"] = "alice", ["roles"] = "admin" });
        var badSubject = TestTokens.MintClaims(new Dictionary<string, object> { ["tid"] = _tenant.Id, ["sub"] = value, ["roles"] = "admin" });

        // RFC 7519 makes "sub" a string: the token library refuses to read a token whose sub is an array, boolean or
        // object (401, the token is not valid); one with a numeric sub it reads, and the app refuses that (403).
        var libraryRefuses = value is Array or bool or IDictionary<string, object>;
        // The tenant claim is tid here, which Entra's issuer validator ties to the issuer: an empty or blank tid names no
        // directory, so the token itself is not valid (401).
        var issuerRefuses = value is string text && string.IsNullOrWhiteSpace(text);
        foreach (var (name, token, status) in new[] { ("tenant", badTenant, issuerRefuses ? 401 : 403), ("subject", badSubject, libraryRefuses ? 401 : 403) })
        {
            var response = await _api.SendAsync("POST", "/api/v1/products", (r, ct) => { ran = true; return _api.Catalog.Products(r, ct); }, token, """{"id":"X","name":"x","price":1,"currency":"EUR","availableStock":1}""");
            Assert.True(response.StatusCode == status && response.ContentType == "application/problem+json", $"{why}, {name}: {response.StatusCode} {response.Body}");
        }

        Assert.False(ran, why);
    }

    [Fact]
    public async Task A_tenant_claim_given_twice_in_the_payload_is_403()
    {
        var payload = $$"""{"tid":"{{_tenant.Id}}","tid":"other","sub":"alice","iss":"{{TestTokens.Issuer}}","aud":"{{TestTokens.Audience}}","exp":{{DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeSeconds()}}}""";

        var response = await _api.SendAsync("GET", "/api/v1/products", _api.Catalog.Products, TestTokens.MintPayload(payload));

        Assert.True(response.StatusCode == 403 && response.ContentType == "application/problem+json", $"{response.StatusCode} {response.Body}");
    }

    public static TheoryData<object> NonStringEmails() => new() { 42, true, new[] { "alice@example.test" }, new Dictionary<string, object> { ["address"] = "alice@example.test" } };

    [Theory]
    [MemberData(nameof(NonStringEmails))]
    public async Task An_email_claim_that_is_not_a_json_string_is_no_email(object email)
    {
        Caller? seen = null;
        var token = TestTokens.MintClaims(new Dictionary<string, object> { ["tid"] = _tenant.Id, ["sub"] = "alice", ["email"] = email });

        var response = await _api.SendAsync("GET", "/api/v1/products", (r, ct) => { seen = r.HttpContext.GetCaller(); return _api.Catalog.Products(r, ct); }, token);

        Assert.Equal(200, response.StatusCode);
        Assert.Null(seen!.Email);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(36)]
    public async Task A_tenant_claim_of_up_to_256_characters_with_spaces_or_unicode_is_a_tenant_of_its_own(int length)
    {
        var tenant = ("shöp 1 " + Guid.NewGuid().ToString("N")).PadRight(length, 'x')[..length];
        var token = TestTokens.MintClaims(new Dictionary<string, object> { ["tid"] = tenant, ["sub"] = "boss", ["roles"] = "admin" });

        var created = await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, token, """{"id":"X","name":"x","price":1,"currency":"EUR","availableStock":1}""");
        var listed = await _api.SendAsync("GET", "/api/v1/products", _api.Catalog.Products, token);
        var elsewhere = await _api.SendAsync("GET", "/api/v1/products/X", (r, ct) => _api.Catalog.Product(r, "X", ct), _tenant.Admin);

        Assert.Equal(201, created.StatusCode);
        Assert.Equal("X", Assert.Single(listed.Json.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        ProblemAssertions.AssertProblem(elsewhere, 404);
    }

    public static TheoryData<object, bool> Roles() => new()
    {
        { "admin", true },
        { new[] { "reader", "admin" }, true },
        { "Admin", false },
        { "admin reader", false },
        { new[] { "reader" }, false },
        { true, false },
        { new Dictionary<string, object> { ["admin"] = "admin" }, false },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Roles_may_be_a_string_or_an_array_and_only_the_exact_admin_value_counts(object roles, bool isAdmin)
    {
        Caller? seen = null;
        var token = TestTokens.MintClaims(new Dictionary<string, object> { ["tid"] = _tenant.Id, ["sub"] = "someone", ["roles"] = roles });

        var response = await _api.SendAsync("GET", "/api/v1/products", (r, ct) => { seen = r.HttpContext.GetCaller(); return _api.Catalog.Products(r, ct); }, token);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(isAdmin, seen!.IsAdmin);
    }

    [Fact]
    public async Task A_valid_token_reaches_the_function_with_the_callers_tenant_user_email_and_role()
    {
        Caller? seen = null;

        var response = await _api.SendAsync("GET", "/api/v1/products", (r, ct) => { seen = r.HttpContext.GetCaller(); return _api.Catalog.Products(r, ct); }, _tenant.Admin);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(new Caller(_tenant.Id, "admin-1", "admin@example.test", IsAdmin: true), seen);
    }

    [Fact]
    public async Task The_signing_keys_are_fetched_once_and_cached()
    {
        await _api.SendAsync("GET", "/api/v1/products", _api.Catalog.Products, _tenant.Alice);
        var afterFirst = _api.Tokens.MetadataRequests;
        await _api.SendAsync("GET", "/api/v1/products", _api.Catalog.Products, _tenant.Bob);

        Assert.Equal(4, afterFirst); // the v2.0 and the v1.0 discovery documents (Entra issues both kinds), each with its key set
        Assert.Equal(afterFirst, _api.Tokens.MetadataRequests);
    }

    [Fact]
    public async Task A_public_endpoint_runs_without_a_token()
    {
        var response = await _api.SendAsync(
            "GET", "/api/health", (r, _) => new Functions.Features.Operations.HealthFunction(TimeProvider.System).Run(r),
            entryPoint: typeof(Functions.Features.Operations.HealthFunction).FullName + ".Run");

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public void The_development_key_is_refused_outside_development_and_settings_are_required()
    {
        var production = Mock.Of<IHostEnvironment>(e => e.EnvironmentName == Environments.Production);
        var development = Mock.Of<IHostEnvironment>(e => e.EnvironmentName == Environments.Development);
        var withDevKey = new AuthOptions { Authority = "https://localhost/dev-issuer", Audiences = "api://x", UseDevelopmentKey = true };

        Assert.Throws<InvalidOperationException>(() => AuthServiceCollectionExtensions.Validate(withDevKey, production));
        AuthServiceCollectionExtensions.Validate(withDevKey, development);
        Assert.Throws<InvalidOperationException>(() => AuthServiceCollectionExtensions.Validate(new AuthOptions { Audiences = "api://x" }, development));
    }
}
