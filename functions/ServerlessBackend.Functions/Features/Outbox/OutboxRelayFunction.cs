using Microsoft.Azure.Functions.Worker;

namespace ServerlessBackend.Functions.Features.Outbox;

/// <summary>Every 30 seconds: publish order events that missed their publish right after the write.</summary>
public sealed class OutboxRelayFunction(OutboxRelayHandler handler)
{
    [Function("OutboxRelay")]
    public Task Run([TimerTrigger("*/30 * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        return handler.RunAsync(cancellationToken);
    }
}
