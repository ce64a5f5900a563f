using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Outbox;

/// <summary>
/// Re-publishes events still pending <see cref="Delay"/> after they were recorded: the publish right
/// after the write failed or the process died before it. One failing order does not hold up the others;
/// the run still fails at the end so the failure shows up in monitoring.
/// </summary>
public sealed partial class OutboxRelayHandler(IOrderStore orders, OutboxPublisher publisher, TimeProvider clock, ILogger<OutboxRelayHandler> logger)
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
                published += await publisher.PublishAsync(order.TenantId, order.Id, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex, order.TenantId, order.Id);
                failures.Add(ex);
            }
        }

        LogRun(logger, stale.Count, published, failures.Count);
        return failures.Count == 0
            ? published
            : throw new AggregateException($"The outbox relay could not publish {failures.Count} of {stale.Count} order(s).", failures);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay: {Orders} order(s) with stale events, {Published} event(s) published, {Failed} failed")]
    private static partial void LogRun(ILogger logger, int orders, int published, int failed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox relay could not publish order {TenantId}/{OrderId}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string tenantId, string orderId);
}
