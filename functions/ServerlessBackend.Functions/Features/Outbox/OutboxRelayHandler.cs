using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Functions.Shared.Metrics;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Outbox;

/// <summary>
/// Re-publishes events still pending <see cref="Delay"/> after they were recorded: the publish right
/// after the write failed or the process died before it. Events recorded at a time later than now by more than
/// <see cref="ClockSkew.Max"/> (a writer's clock far ahead) are relayed at once rather than when that time comes. One failing order does not hold up the others.
/// A run logs one summary; failures it knows (a dependency down) make it a warning without a stack trace, and the
/// orders stay pending for the next run; any other failure also fails the run, so it shows up in monitoring.
/// Each run records the outbox lag: how long the oldest event it found has been pending (0 when it found none).
/// </summary>
public sealed partial class OutboxRelayHandler(IOrderStore orders, IOrderOutbox outbox, TimeProvider clock, AppMetrics metrics, ILogger<OutboxRelayHandler> logger)
{
    /// <summary>Long enough that the publish right after the write has normally happened, short enough to bound the delay.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(30);

    /// <summary>Orders per run; the next tick takes the rest.</summary>
    public const int BatchSize = 100;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var stale = await orders.FindWithPendingEventsAsync(now - Delay, now + ClockSkew.Max, BatchSize, cancellationToken);
        metrics.OutboxLag(stale.Count == 0 ? TimeSpan.Zero : now - stale.Min(o => o.OutboxPendingSince));
        var published = 0;
        var failures = new List<Exception>();
        foreach (var order in stale)
        {
            try
            {
                published += await outbox.RelayAsync(order.TenantId, order.Id, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures.Add(ex);
            }
        }

        if (failures.Count == 0)
        {
            LogRun(logger, stale.Count, published);
            return published;
        }

        // Counted by cause; a dependency's own message is a fixed text, never the SDK's (which carries a stack trace).
        var reasons = string.Join("; ", failures
            .GroupBy(f => DependencyUnavailableException.In(f)?.Message.TrimEnd('.') ?? f.GetType().Name)
            .Select(g => $"{g.Count()} x {g.Key}"));
        LogRunFailed(logger, stale.Count, published, failures.Count, reasons);
        var unexpected = failures.Where(f => DependencyUnavailableException.In(f) is null).ToList();
        return unexpected.Count == 0
            ? published
            : throw new AggregateException($"The outbox relay could not publish {unexpected.Count} of {stale.Count} order(s) for unexpected reasons.", unexpected);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay: {Orders} order(s) with stale events, {Published} event(s) published")]
    private static partial void LogRun(ILogger logger, int orders, int published);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay: {Orders} order(s) with stale events, {Published} event(s) published, {Failed} order(s) failed ({Reasons}); the next run retries them")]
    private static partial void LogRunFailed(ILogger logger, int orders, int published, int failed, string reasons);
}
