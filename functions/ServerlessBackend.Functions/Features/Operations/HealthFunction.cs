using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Shared.Auth;

namespace ServerlessBackend.Functions.Features.Operations;

/// <summary>Anonymous liveness probe: answers when the worker is up, checks no dependency.</summary>
public sealed class HealthFunction(TimeProvider clock)
{
    [Function("Health")]
    [PublicEndpoint]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return Results.Json(new HealthReport("Healthy", clock.GetUtcNow()));
    }
}

public sealed record HealthReport(string Status, DateTimeOffset CheckedAt);
