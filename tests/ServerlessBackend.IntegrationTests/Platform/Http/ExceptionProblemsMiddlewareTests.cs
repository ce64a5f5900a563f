using System.Collections.Immutable;
using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Moq;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Telemetry;
using ServerlessBackend.Tests.Support;
using ServerlessBackend.Functions.Features.Catalog;

namespace ServerlessBackend.IntegrationTests.Platform.Http;

public sealed class ExceptionProblemsMiddlewareTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();

    [Fact]
    public async Task Cosmos_throttling_that_outlasts_the_sdk_retries_is_503_with_retry_after()
    {
        var response = await _api.SendAsync("GET", "/api/v1/products", (_, _) => throw new StoreThrottledException(TimeSpan.FromSeconds(2.5)), _tenant.Alice);

        ProblemAssertions.AssertProblem(response, 503);
        Assert.Equal("3", response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task Throttling_wrapped_by_the_worker_is_still_503()
    {
        var response = await _api.SendAsync("GET", "/api/v1/products", (_, _) => throw new AggregateException(new StoreThrottledException(null)), _tenant.Alice);

        ProblemAssertions.AssertProblem(response, 503);
        Assert.Equal("1", response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task Any_other_failure_is_500_without_internals()
    {
        var response = await _api.SendAsync("GET", "/api/v1/products", (_, _) => throw new InvalidOperationException("connection string=secret"), _tenant.Alice);

        ProblemAssertions.AssertProblem(response, 500);
        Assert.DoesNotContain("secret", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_failure_and_the_503_are_logged_in_the_scope_of_the_callers_tenant()
    {
        var logs = new FakeLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var api = new ApiTestHost(cosmos, loggers: loggers);

        await api.SendAsync("GET", "/api/v1/products", (_, _) => throw new InvalidOperationException("boom"), _tenant.Alice);
        await api.SendAsync("GET", "/api/v1/products", (_, _) => throw new DependencyUnavailableException("Cosmos DB", "down", TimeSpan.FromSeconds(1)), _tenant.Alice);

        var records = logs.Collector.GetSnapshot().Where(r => r.Category == typeof(ExceptionProblemsMiddleware).FullName).ToList();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Contains(
            r.Scopes.OfType<IReadOnlyDictionary<string, object>>(), s => s.TryGetValue(TelemetryTags.TenantId, out var t) && Equals(t, _tenant.Id)));
    }

    [Fact]
    public async Task A_body_cut_short_before_its_content_length_is_a_400_problem_and_nothing_is_written()
    {
        var body = """{"id":"CUT-1","name":"x","price":1,"currency":"EUR","availableStock":1}""";

        var response = await _api.SendAsync("POST", "/api/v1/products", (r, ct) => { r.Body = new CutShortStream(); return _api.Catalog.Products(r, ct); }, _tenant.Admin, body);

        ProblemAssertions.AssertProblem(response, 400);
        ProblemAssertions.AssertProblem(await _api.SendAsync("GET", "/api/v1/products/CUT-1", (r, ct) => _api.Catalog.Product(r, "CUT-1", ct), _tenant.Admin), 404);
    }

    [Fact]
    public async Task A_cosmos_429_from_the_store_becomes_a_throttled_exception()
    {
        // A transactional batch answers a 429 (once the SDK's retries are spent) as its status, without throwing.
        var throttled = new Mock<TransactionalBatchResponse>();
        throttled.SetupGet(r => r.StatusCode).Returns(HttpStatusCode.TooManyRequests);
        throttled.SetupGet(r => r.IsSuccessStatusCode).Returns(false);
        throttled.SetupGet(r => r.RetryAfter).Returns(TimeSpan.FromSeconds(3));
        var batch = new Mock<TransactionalBatch>();
        batch.Setup(b => b.CreateItem(It.IsAny<It.IsAnyType>(), It.IsAny<TransactionalBatchItemRequestOptions>())).Returns(batch.Object);
        batch.Setup(b => b.ExecuteAsync(It.IsAny<CancellationToken>())).ReturnsAsync(throttled.Object);
        var container = new Mock<Container>();
        container.Setup(c => c.CreateTransactionalBatch(It.IsAny<PartitionKey>())).Returns(batch.Object);
        var database = new Mock<Database>();
        database.Setup(d => d.GetContainer(It.IsAny<string>())).Returns(container.Object);
        var client = new Mock<CosmosClient>();
        client.Setup(c => c.GetDatabase(It.IsAny<string>())).Returns(database.Object);
        var store = new CosmosProductStore(new CosmosContainers(client.Object, "db"));

        var thrown = await Assert.ThrowsAsync<StoreThrottledException>(() => store.CreateAsync(TestData.Product("t"), CancellationToken.None));
        Assert.Equal(TimeSpan.FromSeconds(3), thrown.RetryAfter);
    }

    [Fact]
    public void The_middlewares_apply_to_http_triggers_only()
    {
        Assert.True(HttpApiExtensions.IsHttpTriggered(ContextWithTrigger("httpTrigger")));
        Assert.False(HttpApiExtensions.IsHttpTriggered(ContextWithTrigger("serviceBusTrigger")));
        Assert.False(HttpApiExtensions.IsHttpTriggered(ContextWithTrigger("timerTrigger")));
    }

    private static FunctionContext ContextWithTrigger(string type)
    {
        var binding = Mock.Of<BindingMetadata>(b => b.Type == type && b.Name == "trigger" && b.Direction == BindingDirection.In);
        var bindings = ImmutableDictionary<string, BindingMetadata>.Empty.Add("trigger", binding);
        var definition = Mock.Of<FunctionDefinition>(d => d.InputBindings == bindings);
        return Mock.Of<FunctionContext>(c => c.FunctionDefinition == definition);
    }

    /// <summary>A request body whose client went away mid-way: the server's read fails as Kestrel's does.</summary>
    private sealed class CutShortStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new Microsoft.AspNetCore.Http.BadHttpRequestException("Unexpected end of request content.");
    }
}
