namespace ServerlessBackend.Functions.Platform.Hosting;

/// <summary>
/// A dependency (Cosmos DB, Service Bus, the token issuer) is unreachable, timing out or throttling: never the caller's
/// fault, and likely to pass. The adapters translate their SDK's failures into this; HTTP answers 503 with
/// <see cref="RetryAfter"/>, and the publisher and the relay log it as a warning without a stack trace.
/// </summary>
public class DependencyUnavailableException(string dependency, string reason, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception($"{dependency} is unavailable ({reason}).", inner)
{
    /// <summary>What a client is told to wait when the dependency gave no hint.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(5);

    public string Dependency { get; } = dependency;

    /// <summary>A short, fixed description (a status code or a failure reason): safe to log, never the SDK's text.</summary>
    public string Reason { get; } = reason;

    public TimeSpan RetryAfter { get; } = retryAfter ?? DefaultRetryAfter;

    /// <summary>The dependency is up but asks callers to slow down (e.g. Cosmos 429): nothing to log, the client waits.</summary>
    public virtual bool IsThrottling => false;

    /// <summary>The first <see cref="DependencyUnavailableException"/> in the chain of <paramref name="exception"/> (the worker may wrap it).</summary>
    public static DependencyUnavailableException? In(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DependencyUnavailableException unavailable)
            {
                return unavailable;
            }
        }

        return null;
    }
}
