using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Outbox;

/// <summary>
/// Re-publishes events still pending <see cref="Delay"/> after they were recorded: the publish right
/// after the write failed or the process died before it. One failing order does not hold up the others;
/// the run logs one summary and still fails at the end so the failure shows up in monitoring.
/// </summary>
public sealed partial class OutboxRelayHandler(IOrderStore orders, IOrderOutbox outbox, TimeProvider clock, ILogger<OutboxRelayHandler> logger)
{
    /// <summary>Long enough that the publish right after the write has normally happened, short enough to bound the delay.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(30);

    /// <summary>Orders per run; the next tick takes the rest.</summary>
    public const int BatchSize = 100;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var stale = await orders.FindWithPendingEventsAsync(clock.GetUtcNow() - Delay, BatchSize, cancellationToken);
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

        var reasons = string.Join("; ", failures.Select(f => $"{f.GetType().Name}: {f.Message}").Distinct().Take(3));
        LogRunFailed(logger, stale.Count, published, failures.Count, reasons);
        throw new AggregateException($"The outbox relay could not publish {failures.Count} of {stale.Count} order(s).", failures);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay: {Orders} order(s) with stale events, {Published} event(s) published")]
    private static partial void LogRun(ILogger logger, int orders, int published);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay: {Orders} order(s) with stale events, {Published} event(s) published, {Failed} order(s) failed ({Reasons}); the next run retries them")]
    private static partial void LogRunFailed(ILogger logger, int orders, int published, int failed, string reasons);
}
