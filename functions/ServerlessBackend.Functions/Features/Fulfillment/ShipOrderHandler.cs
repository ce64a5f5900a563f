using System.Diagnostics;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// An admin marks a confirmed order shipped: If-Match required (the admin acts on the version they saw),
/// the transition recorded with its OrderShipped event in one replace on that ETag, then published.
/// </summary>
public sealed class ShipOrderHandler(IOrderStore orders, AfterWritePublisher publisher, TimeProvider clock)
{
    public async Task<Outcome<Versioned<Order>>> HandleAsync(Caller caller, string orderId, string ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (CallerRules.RequireAdmin(caller) is { } forbidden)
        {
            return forbidden;
        }

        var current = await ReadOrdersHandler.ReadVisibleAsync(orders, caller, orderId, cancellationToken);
        if (current is null)
        {
            return ApiError.NotFound("The order");
        }

        if (!string.Equals(ifMatch, current.ETag, StringComparison.Ordinal))
        {
            return ApiError.StaleETag();
        }

        if (!OrderStateMachine.CanTransition(current.Value.Status, OrderStatus.Shipped))
        {
            return new ApiError(ProblemKind.Conflict, $"An order that is {current.Value.Status} cannot be shipped.");
        }

        var shipped = current.Value.TransitionTo(OrderStatus.Shipped, clock.GetUtcNow(), reason: null, Activity.Current?.TraceId.ToString());
        try
        {
            var etag = await orders.ReplaceAsync(shipped, current.ETag, cancellationToken);
            var written = new Versioned<Order>(shipped, etag);
            return Outcome.Ok(await publisher.PublishAsync(written, cancellationToken));
        }
        catch (DocumentPreconditionFailedException)
        {
            return ApiError.StaleETag();
        }
    }
}
