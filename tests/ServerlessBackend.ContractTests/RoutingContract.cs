using System.Text.Json;
using ServerlessBackend.ContractTests.Targets;
using ServerlessBackend.Load;

namespace ServerlessBackend.ContractTests;

/// <summary>Health, authentication, and every documented route and method as the OpenAPI document the app serves lists them.</summary>
public abstract class RoutingContract(IContractApp app) : ContractSuite(app)
{
    protected const string StripeWebhook = "/v1/payments/stripe/webhook";

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    [ContractFact]
    public async Task The_stripe_webhook_needs_no_token_and_refuses_a_body_its_signature_does_not_sign()
    {
        var forged = $"t={DateTimeOffset.UtcNow.ToUnixTimeSeconds()},v1={new string('0', 64)}";

        var response = await Api.SendAsync("POST", StripeWebhook[1..], body: """{"id":"evt_1","object":"event","type":"charge.succeeded"}""",
            headers: new Dictionary<string, string> { ["Stripe-Signature"] = forged });

        Assert.Null(response.Header("WWW-Authenticate"));
        Assert.True(response.Status is 400 or 404, $"{response.Status}: {response.Body}");
        response.AssertProblem(response.Status);
    }

    [ContractFact]
    public async Task Health_is_anonymous_and_readiness_reports_ready()
    {
        var health = await Api.SendAsync("GET", "health");
        var ready = await Api.SendAsync("GET", "health/ready");

        health.AssertStatus(200);
        Assert.Equal("Healthy", health.Json.GetProperty("status").GetString());
        Assert.Equal("no-store", health.Header("Cache-Control"));
        ready.AssertStatus(200);
        Assert.Equal("Ready", ready.Json.GetProperty("status").GetString());
    }

    [ContractFact]
    public async Task Without_a_valid_token_every_other_path_is_401_problem_details_with_a_bearer_challenge()
    {
        foreach (var (method, path, token) in new[]
        {
            ("GET", "openapi.json", null), ("GET", "v1/orders", null), ("POST", "v1/products", null), ("GET", "v1/products", "not-a-token"),
            ("DELETE", "v1/orders/ord-1", null), ("GET", "no/such/route", null), ("POST", "health", null), ("OPTIONS", "v1/orders", null),
            ("GET", "v1/payments/stripe/webhook", null),
        })
        {
            var response = await Api.SendAsync(method, path, token: token);

            response.AssertProblem(401);
            Assert.Equal("Bearer", response.Header("WWW-Authenticate"));
        }
    }

    [ContractFact(Identity.Customer)]
    public async Task Every_documented_operation_needs_a_token_unless_the_document_says_it_is_anonymous()
    {
        foreach (var (path, method, operation) in await OperationsAsync())
        {
            var response = await Api.SendAsync(method, Concrete(path), body: method is "POST" or "PUT" ? "{}" : null);

            var anonymous = operation.TryGetProperty("security", out var security) && security.GetArrayLength() == 0;
            if (anonymous)
            {
                // The probes answer; the Stripe webhook, signed instead of authorized, refuses an unsigned body (404 where no signing secret is set).
                Assert.True(response.Status is 200 or 503 || (path == StripeWebhook && response.Status is 400 or 404), $"{method} {path}: {response.Status}");
            }
            else
            {
                response.AssertProblem(401);
            }
        }
    }

    [ContractFact(Identity.Customer)]
    public async Task Every_documented_path_answers_any_other_method_with_405_and_allow_listing_its_documented_methods()
    {
        var documented = (await OperationsAsync()).GroupBy(o => o.Path, o => o.Method);

        foreach (var path in documented)
        {
            var allow = string.Join(", ", path.Order(StringComparer.Ordinal));
            foreach (var method in Methods.Except(path))
            {
                var response = await Api.SendAsync(method, Concrete(path.Key), Identity.Customer, body: method is "POST" or "PUT" or "PATCH" ? "{}" : null);

                response.AssertProblem(405);
                Assert.True(allow == response.Header("Allow"), $"{method} {path.Key}: Allow {response.Header("Allow")}, documented {allow}");
            }
        }
    }

    [ContractFact(Identity.Customer)]
    public async Task Every_documented_path_answers_options_with_204_and_allow_listing_its_documented_methods()
    {
        foreach (var path in (await OperationsAsync()).GroupBy(o => o.Path, o => o.Method))
        {
            var response = await Api.SendAsync("OPTIONS", Concrete(path.Key), Identity.Customer);

            Assert.True(response.Status == 204, $"OPTIONS {path.Key}: {response.Status} {response.Body}");
            Assert.Equal(string.Join(", ", path.Order(StringComparer.Ordinal)), response.Header("Allow"));
            Assert.Empty(response.Body);
        }
    }

    [ContractFact(Identity.Customer)]
    public async Task Head_on_every_documented_get_answers_as_get_does_without_a_body()
    {
        foreach (var (path, _, _) in (await OperationsAsync()).Where(o => o.Method == "GET"))
        {
            var get = await Api.SendAsync("GET", Concrete(path), Identity.Customer);
            var head = await Api.SendAsync("HEAD", Concrete(path), Identity.Customer);

            // Same status (200, or the caller's 403/404), same media type and cache rule; no body.
            Assert.True(get.Status == head.Status, $"HEAD {path}: {head.Status}, GET {get.Status}");
            Assert.Equal((get.MediaType, get.Header("Cache-Control")), (head.MediaType, head.Header("Cache-Control")));
            Assert.NotEmpty(get.Body);
            Assert.Empty(head.Body);
        }
    }

    [ContractFact(Identity.Customer)]
    public async Task An_unknown_path_is_404_problem_details_for_any_method()
    {
        foreach (var (method, path) in new[] { ("GET", "nope"), ("GET", "v1/orders/ord-1/ship/now"), ("POST", "v2/orders"), ("DELETE", "v1") })
        {
            var response = await Api.SendAsync(method, path, Identity.Customer);

            response.AssertProblem(404);
            Assert.Null(response.Header("Allow"));
        }
    }

    private async Task<List<(string Path, string Method, JsonElement Operation)>> OperationsAsync()
    {
        var document = await Api.SendAsync("GET", "openapi.json", Identity.Customer);
        document.AssertStatus(200);
        return [.. document.Json.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(m => Methods.Contains(m.Name.ToUpperInvariant()))
            .Select(m => (path.Name, m.Name.ToUpperInvariant(), m.Value.Clone())))];
    }

    // A documented path ("/v1/orders/{orderId}") as a request path relative to the base URL, with a value per parameter.
    private static string Concrete(string path) =>
        string.Join('/', path.TrimStart('/').Split('/').Select(s => s.StartsWith('{') ? (s.Contains("subscription", StringComparison.Ordinal) ? "email" : "x-1") : s));
}

[Collection(LocalHostCollection.Name)]
public sealed class RoutingContractOnLocalHost(LocalHostApp app) : RoutingContract(app)
{
    [ContractFact]
    public async Task A_stripe_event_signed_with_the_apps_secret_passes_through_the_host_to_the_handler()
    {
        const string payload = """{"id":"evt_contract","object":"event","type":"charge.succeeded","data":{"object":{"id":"ch_1","object":"charge"}}}""";
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var v1 = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(FuncApp.StripeWebhookSecret), System.Text.Encoding.UTF8.GetBytes($"{t}.{payload}")));

        var response = await Api.SendAsync("POST", StripeWebhook[1..], body: payload, headers: new Dictionary<string, string> { ["Stripe-Signature"] = $"t={t},v1={v1}" });

        Assert.True(response.Status == 200, $"{response.Status}: {response.Body}");
        Assert.Equal(("evt_contract", "ignored"), (response.Json.GetProperty("eventId").GetString(), response.Json.GetProperty("result").GetString()));
    }
}

[Collection(DiscoveredAppCollection.Name)]
public sealed class RoutingContractOnDiscoveredTarget(DiscoveredApp app) : RoutingContract(app), IRunsOnDiscoveredTarget;
