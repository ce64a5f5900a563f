using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Operations;

/// <summary>
/// Anonymous readiness probe: every dependency check must pass within a short timeout, else 503 with Retry-After.
/// It names the failing dependency but never shows error details to an anonymous caller (they are logged).
/// </summary>
public sealed partial class ReadinessFunction(IEnumerable<IReadinessCheck> checks, TimeProvider clock, ILogger<ReadinessFunction> logger)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    internal TimeSpan Timeout { get; init; } = DefaultTimeout;

    [Function("Readiness")]
    [PublicEndpoint("GET")]
    public Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.Readiness)] HttpRequest request, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => CheckAsync(request, cancellationToken));

    private async Task<IResult> CheckAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        var results = await Task.WhenAll(checks.Select(check => RunAsync(check, cancellationToken)));
        var ready = results.All(r => r.Healthy);
        var report = new ReadinessReport(ready ? "Ready" : "NotReady", clock.GetUtcNow(), results.ToDictionary(r => r.Name, r => r.Healthy ? "Healthy" : "Unhealthy"));
        if (!ready)
        {
            request.HttpContext.Response.Headers.RetryAfter = ((int)DependencyUnavailableException.DefaultRetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return Results.Json(report, ApiJson.Options, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private async Task<(string Name, bool Healthy)> RunAsync(IReadinessCheck check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await check.CheckAsync(timeout.Token);
            return (check.Name, true);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Probed every few seconds while a dependency is down: one line per failed check, no stack trace.
            var failure = e switch
            {
                OperationCanceledException => $"no answer within {Timeout.TotalSeconds:0.###} s",
                _ => DependencyUnavailableException.In(e)?.Message.TrimEnd('.') ?? e.GetType().Name,
            };
            LogUnhealthy(logger, check.Name, failure);
            return (check.Name, false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness check {Check} failed: {Failure}")]
    private static partial void LogUnhealthy(ILogger logger, string check, string failure);
}

public sealed record ReadinessReport(string Status, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, string> Checks);
