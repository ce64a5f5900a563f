using Azure.Messaging.ServiceBus;
using ServerlessBackend.Functions.Domain.Orders;

namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>Sends through the app's one <see cref="ServiceBusSender"/> for the orders topic; Service Bus unreachable is a <see cref="Hosting.DependencyUnavailableException"/>.</summary>
public sealed class ServiceBusOrderEventSender(ServiceBusSender sender) : IOrderEventSender
{
    public Task SendAsync(IReadOnlyList<OrderEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events.Count == 0
            ? Task.CompletedTask
            : ServiceBusErrors.Translate(() => sender.SendMessagesAsync(events.Select(OrderEventMessages.ToMessage).ToList(), cancellationToken));
    }
}
