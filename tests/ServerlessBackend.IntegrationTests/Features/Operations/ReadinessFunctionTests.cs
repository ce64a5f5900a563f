using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Moq;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Operations;

public sealed class ReadinessFunctionTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    [Fact]
    public async Task Ready_when_cosmos_answers()
    {
        var response = await Probe(new CosmosReadinessCheck(cosmos.Containers));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl.ToString());
        Assert.Equal("Ready", response.Json.GetProperty("status").GetString());
        Assert.Equal("Healthy", response.Json.GetProperty("checks").GetProperty("cosmos").GetString());
    }

    [Fact]
    public async Task Not_ready_503_when_the_database_does_not_exist()
    {
        var missing = new CosmosContainers(cosmos.Client, "no-such-database");

        var response = await Probe(new CosmosReadinessCheck(missing));

        Assert.Equal(503, response.StatusCode);
        Assert.Equal("5", response.Headers.RetryAfter.ToString());
        Assert.Equal("NotReady", response.Json.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", response.Json.GetProperty("checks").GetProperty("cosmos").GetString());
    }

    [Fact]
    public async Task Not_ready_503_with_retry_after_and_one_warning_without_a_stack_trace_when_cosmos_is_unreachable()
    {
        using var client = CosmosServerFixture.CreateClient(new Uri($"https://127.0.0.1:{LocalServer.FreePort()}/"), new CosmosRequestCounter());
        var logs = new FakeLogger<ReadinessFunction>();

        var response = await Probe(new CosmosReadinessCheck(new CosmosContainers(client, "db")), logs, TimeSpan.FromSeconds(30));

        Assert.Equal(503, response.StatusCode);
        Assert.Equal("5", response.Headers.RetryAfter.ToString());
        var warning = Assert.Single(logs.Collector.GetSnapshot());
        Assert.Equal((LogLevel.Warning, null), (warning.Level, warning.Exception));
        Assert.Equal("Readiness check cosmos failed: Cosmos DB is unavailable (unreachable)", warning.Message);
    }

    [Fact]
    public async Task A_check_that_hangs_is_cut_off_by_the_timeout_and_reported_unhealthy()
    {
        var hanging = new Mock<IReadinessCheck>();
        hanging.SetupGet(c => c.Name).Returns("cosmos");
        hanging.Setup(c => c.CheckAsync(It.IsAny<CancellationToken>())).Returns<CancellationToken>(ct => Task.Delay(Timeout.Infinite, ct));

        var response = await Probe(hanging.Object);

        Assert.Equal(503, response.StatusCode);
        Assert.Equal("5", response.Headers.RetryAfter.ToString());
        Assert.DoesNotContain("Exception", response.Body, StringComparison.Ordinal);
    }

    private static async Task<TestResponse> Probe(IReadinessCheck check, ILogger<ReadinessFunction>? logger = null, TimeSpan? timeout = null)
    {
        var function = new ReadinessFunction([check], TimeProvider.System, logger ?? NullLogger<ReadinessFunction>.Instance) { Timeout = timeout ?? TimeSpan.FromMilliseconds(500) };
        var http = HttpTestContext.Create("GET", "/api/health/ready");
        return await http.ExecuteAsync(await function.Run(http.Request, CancellationToken.None));
    }
}
