using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Hosting;
using ServerlessBackend.Tests.Infrastructure;

namespace ServerlessBackend.Tests.Features.Operations;

[Collection(CosmosServerCollection.Name)]
public sealed class ReadinessFunctionTests(CosmosServerFixture cosmos)
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
        Assert.Equal("NotReady", response.Json.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", response.Json.GetProperty("checks").GetProperty("cosmos").GetString());
    }

    [Fact]
    public async Task A_check_that_hangs_is_cut_off_by_the_timeout_and_reported_unhealthy()
    {
        var hanging = new Mock<IReadinessCheck>();
        hanging.SetupGet(c => c.Name).Returns("cosmos");
        hanging.Setup(c => c.CheckAsync(It.IsAny<CancellationToken>())).Returns<CancellationToken>(ct => Task.Delay(Timeout.Infinite, ct));

        var response = await Probe(hanging.Object);

        Assert.Equal(503, response.StatusCode);
        Assert.DoesNotContain("Exception", response.Body, StringComparison.Ordinal);
    }

    private static async Task<TestResponse> Probe(IReadinessCheck check)
    {
        var function = new ReadinessFunction([check], TimeProvider.System, NullLogger<ReadinessFunction>.Instance) { Timeout = TimeSpan.FromMilliseconds(500) };
        var http = HttpTestContext.Create("GET", "/api/health/ready");
        return await http.ExecuteAsync(await function.Run(http.Request, CancellationToken.None));
    }
}
