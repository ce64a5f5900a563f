using System.Text.Json;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Tests.Support;

public static class ProblemAssertions
{
    /// <summary>The response is RFC 9457 problem details with this status, naming the trace the request ran in (traceId; none outside a trace).</summary>
    public static void AssertProblem(TestResponse response, int status)
    {
        ArgumentNullException.ThrowIfNull(response);
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {response.Body}");
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(status, response.Json.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.String, response.Json.GetProperty("title").ValueKind);
        Assert.StartsWith("https://", response.Json.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(response.TraceId, response.Json.TryGetProperty(ApiProblems.TraceIdMember, out var traceId) ? traceId.GetString() : null);
    }
}
