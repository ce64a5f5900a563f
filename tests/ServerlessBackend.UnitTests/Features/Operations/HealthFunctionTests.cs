using Microsoft.Extensions.Time.Testing;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Features.Operations;

public sealed class HealthFunctionTests
{
    [Fact]
    public async Task Get_health_returns_200_json_not_cacheable_with_status_and_time()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 30, 0, TimeSpan.Zero));
        var http = HttpTestContext.Create("GET", "/api/health");

        var result = await new HealthFunction(clock).Run(http.Request);
        var response = await http.ExecuteAsync(result);

        Assert.Equal(200, response.StatusCode);
        Assert.StartsWith("application/json", response.ContentType, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl.ToString());
        Assert.Equal("""{"status":"Healthy","checkedAt":"2026-11-28T12:30:00+00:00"}""", response.Body);
    }
}
