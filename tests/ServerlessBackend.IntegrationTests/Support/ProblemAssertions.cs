using System.Text.Json;
using ServerlessBackend.Functions.Platform.Http;

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
        // An RFC's section for the status, or the app's own URN for a problem the status does not name (RFC 9457, 3.1.1).
        var type = response.Json.GetProperty("type").GetString()!;
        Assert.True(type.StartsWith("https://", StringComparison.Ordinal) || type.StartsWith("urn:serverless-backend:problem:", StringComparison.Ordinal), type);
        Assert.Equal(response.TraceId, response.Json.TryGetProperty(ApiProblems.TraceIdMember, out var traceId) ? traceId.GetString() : null);
    }
}
