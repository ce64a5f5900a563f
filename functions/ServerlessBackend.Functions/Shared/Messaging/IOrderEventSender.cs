using ServerlessBackend.Functions.Domain.Orders;

namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>Sends order events to the orders topic (one call, one atomic batch).</summary>
public interface IOrderEventSender
{
    Task SendAsync(IReadOnlyList<OrderEvent> events, CancellationToken cancellationToken);
}
