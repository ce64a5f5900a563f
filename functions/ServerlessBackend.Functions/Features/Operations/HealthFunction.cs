using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Features.Operations;

/// <summary>Anonymous liveness probe: answers when the worker is up, checks no dependency.</summary>
public sealed class HealthFunction(TimeProvider clock)
{
    [Function("Health")]
    [PublicEndpoint("GET")]
    public Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.Health)] HttpRequest request) =>
        MethodDispatch.ServeAsync(request, get: () => Task.FromResult(Report(request)));

    private IResult Report(HttpRequest request)
    {
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return Results.Json(new HealthReport("Healthy", clock.GetUtcNow()));
    }
}

public sealed record HealthReport(string Status, DateTimeOffset CheckedAt);
