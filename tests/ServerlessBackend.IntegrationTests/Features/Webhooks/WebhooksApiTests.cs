using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Webhooks;

/// <summary>The admin webhook routes through the app's middleware, over the Cosmos-protocol server.</summary>
public sealed class WebhooksApiTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();

    [Fact]
    public async Task An_admin_registers_an_endpoint_sees_its_secret_once_then_lists_reads_and_deletes_it()
    {
        var created = await Register(_tenant.Admin, """{"url":"http://127.0.0.1:9/hooks","eventTypes":["OrderShipped","OrderCancelled"],"description":"ERP"}""");
        var id = created.Json.GetProperty("id").GetString()!;
        var list = await Send("GET", "/api/v1/admin/webhooks", _tenant.Admin);
        var read = await Send("GET", $"/api/v1/admin/webhooks/{id}", _tenant.Admin, id: id);
        var deleted = await Send("DELETE", $"/api/v1/admin/webhooks/{id}", _tenant.Admin, id: id);
        var gone = await Send("GET", $"/api/v1/admin/webhooks/{id}", _tenant.Admin, id: id);
        var deletedAgain = await Send("DELETE", $"/api/v1/admin/webhooks/{id}", _tenant.Admin, id: id);

        Assert.Equal(201, created.StatusCode);
        Assert.Equal($"/api/v1/admin/webhooks/{id}", created.Headers.Location.ToString());
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", created.Json.GetProperty("secret").GetString());
        Assert.Equal(["OrderShipped", "OrderCancelled"], created.Json.GetProperty("eventTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.True(created.Json.GetProperty("enabled").GetBoolean());
        Assert.Equal(200, list.StatusCode);
        Assert.Equal([id], list.Json.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(200, read.StatusCode);
        Assert.Equal("http://127.0.0.1:9/hooks", read.Json.GetProperty("url").GetString());
        // Shown once: no read shows the secret again.
        Assert.DoesNotContain("secret", list.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secret", read.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(204, deleted.StatusCode);
        ProblemAssertions.AssertProblem(gone, 404);
        ProblemAssertions.AssertProblem(deletedAgain, 404);
    }

    [Fact]
    public async Task Another_tenants_endpoint_is_not_found_and_customers_are_refused()
    {
        var created = await Register(_tenant.Admin, """{"url":"http://127.0.0.1:9/hooks","eventTypes":["OrderShipped"]}""");
        var id = created.Json.GetProperty("id").GetString()!;
        var other = new TestTenant();

        var foreignRead = await Send("GET", $"/api/v1/admin/webhooks/{id}", other.Admin, id: id);
        var foreignDelete = await Send("DELETE", $"/api/v1/admin/webhooks/{id}", other.Admin, id: id);
        var foreignRotate = await Send("POST", $"/api/v1/admin/webhooks/{id}/rotate-secret", other.Admin, id: id);
        var foreignList = await Send("GET", "/api/v1/admin/webhooks", other.Admin);
        var customer = await Register(_tenant.Alice, """{"url":"http://127.0.0.1:9/hooks","eventTypes":["OrderShipped"]}""");
        var customerList = await Send("GET", "/api/v1/admin/webhooks", _tenant.Alice);
        var stillThere = await Send("GET", $"/api/v1/admin/webhooks/{id}", _tenant.Admin, id: id);

        ProblemAssertions.AssertProblem(foreignRead, 404);
        ProblemAssertions.AssertProblem(foreignDelete, 404);
        ProblemAssertions.AssertProblem(foreignRotate, 404);
        Assert.Equal(0, foreignList.Json.GetProperty("items").GetArrayLength());
        ProblemAssertions.AssertProblem(customer, 403);
        ProblemAssertions.AssertProblem(customerList, 403);
        Assert.Equal(200, stillThere.StatusCode);
    }

    public static TheoryData<string, string> RefusedRegistrations() => new()
    {
        { """{"url":"http://hooks.example.com/x","eventTypes":["OrderShipped"]}""", "url" },
        { """{"url":"https://169.254.169.254/latest/meta-data","eventTypes":["OrderShipped"]}""", "url" },
        { """{"url":"https://[::ffff:10.0.0.1]/x","eventTypes":["OrderShipped"]}""", "url" },
        { """{"url":"https://private.hooks.test/x","eventTypes":["OrderShipped"]}""", "url" },
        { """{"url":"https://mixed.hooks.test/x","eventTypes":["OrderShipped"]}""", "url" },
        { """{"url":"https://user:pw@public.hooks.test/x","eventTypes":["OrderShipped"]}""", "url" },
        { """{"url":"not a url","eventTypes":["OrderShipped"]}""", "url" },
        { """{"url":"https://public.hooks.test/x","eventTypes":[]}""", "eventTypes" },
        { """{"url":"https://public.hooks.test/x","eventTypes":["OrderTeleported"]}""", "eventTypes[0]" },
        { """{"url":"https://public.hooks.test/x","eventTypes":["OrderShipped"],"secret":"mine"}""", "secret" },
    };

    [Theory]
    [MemberData(nameof(RefusedRegistrations))]
    public async Task A_registration_the_guard_or_the_rules_refuse_is_a_400_naming_the_field_and_stores_nothing(string body, string field)
    {
        _api.Resolver.Answer("public.hooks.test", "93.184.216.34");
        _api.Resolver.Answer("private.hooks.test", "192.168.10.20");
        _api.Resolver.Answer("mixed.hooks.test", "93.184.216.34", "10.0.0.8");

        var refused = await Register(_tenant.Admin, body);
        var list = await Send("GET", "/api/v1/admin/webhooks", _tenant.Admin);

        ProblemAssertions.AssertProblem(refused, 400);
        Assert.True(refused.Json.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), refused.Body);
        Assert.Equal(0, list.Json.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_public_https_endpoint_is_accepted_and_a_tenant_holds_at_most_ten()
    {
        _api.Resolver.Answer("public.hooks.test", "93.184.216.34", "2606:4700:4700::1111");
        var codes = new List<int>();
        for (var i = 0; i < 11; i++)
        {
            codes.Add((await Register(_tenant.Admin, """{"url":"https://public.hooks.test/x","eventTypes":["OrderPlaced"]}""")).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(201, 10), 409], codes);
    }

    [Fact]
    public async Task Concurrent_registrations_never_pass_ten_and_a_deletion_frees_one_place()
    {
        _api.Resolver.Answer("public.hooks.test", "93.184.216.34");
        const string Body = """{"url":"https://public.hooks.test/x","eventTypes":["OrderPlaced"]}""";

        var answers = await Task.WhenAll(Enumerable.Range(0, 14).Select(_ => Task.Run(() => Register(_tenant.Admin, Body))));

        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { 201, 409 }));
        var created = answers.Where(a => a.StatusCode == 201).ToList();
        var listed = (await Send("GET", "/api/v1/admin/webhooks", _tenant.Admin)).Json.GetProperty("items");
        Assert.Equal(created.Count, listed.GetArrayLength());
        Assert.True(created.Count <= 10, $"{created.Count} endpoints registered");
        while ((await Register(_tenant.Admin, Body)).StatusCode == 201)
        {
            Assert.True(listed.GetArrayLength() < 10, "registered past the limit");
            listed = (await Send("GET", "/api/v1/admin/webhooks", _tenant.Admin)).Json.GetProperty("items");
        }

        Assert.Equal(10, (await Send("GET", "/api/v1/admin/webhooks", _tenant.Admin)).Json.GetProperty("items").GetArrayLength());
        var first = created[0].Json.GetProperty("id").GetString()!;
        Assert.Equal(204, (await Send("DELETE", $"/api/v1/admin/webhooks/{first}", _tenant.Admin, first)).StatusCode);
        Assert.Equal(201, (await Register(_tenant.Admin, Body)).StatusCode);
        Assert.Equal(409, (await Register(_tenant.Admin, Body)).StatusCode);
    }

    private Task<TestResponse> Register(string token, string body) =>
        _api.SendAsync("POST", "/api/v1/admin/webhooks", _api.Webhooks.Webhooks, token, body);

    private Task<TestResponse> Send(string method, string path, string token, string? id = null) =>
        path.EndsWith("/rotate-secret", StringComparison.Ordinal)
            ? _api.SendAsync(method, path, (r, ct) => _api.Webhooks.WebhookSecretRotation(r, id!, ct), token)
            : id is null
                ? _api.SendAsync(method, path, _api.Webhooks.Webhooks, token)
                : _api.SendAsync(method, path, (r, ct) => _api.Webhooks.Webhook(r, id, ct), token);
}
