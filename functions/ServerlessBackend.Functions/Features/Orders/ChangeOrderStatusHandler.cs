using System.Diagnostics;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>
/// Cancel (the order's customer or an admin) and ship (admin): read what the caller may see, transition where
/// the state machine allows, replace on the ETag read. With If-Match the client's ETag must still be current
/// (412 otherwise); without it (cancel only), a concurrent change such as fulfillment confirming makes us
/// read again and decide again. An order already in the status asked for is the 200 with the order, whatever
/// If-Match (RFC 9110, 13.1.1: the change has been made): a retry whose first attempt made the change, or that
/// lost the race to a concurrent one, is never told 412 or 409, and nothing is recorded twice.
/// </summary>
public sealed class ChangeOrderStatusHandler(IOrderStore orders, OrderTransitions transitions)
{
    // A client waits: fewer attempts than a message's consumer makes.
    private const int Attempts = 3;

    public Task<Outcome<Versioned<Order>>> CancelAsync(Caller caller, string orderId, string? ifMatch, CancellationToken cancellationToken) =>
        ChangeAsync(caller, orderId, OrderStatus.Cancelled, ifMatch, cancellationToken);

    public Task<Outcome<Versioned<Order>>> ShipAsync(Caller caller, string orderId, string ifMatch, CancellationToken cancellationToken) =>
        ChangeAsync(caller, orderId, OrderStatus.Shipped, ifMatch, cancellationToken);

    private async Task<Outcome<Versioned<Order>>> ChangeAsync(Caller caller, string orderId, OrderStatus target, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        try
        {
            // Changed since our read: decide again on the new state (a concurrent change to the same status is a 200;
            // with If-Match, anything else is a 412 without a second write).
            return await ETagRaces.DecideAsync(
                await ReadOrdersHandler.ReadVisibleAsync(orders, caller, orderId, cancellationToken),
                current => DecideAsync(caller, current, target, ifMatch, cancellationToken),
                _ => ReadOrdersHandler.ReadVisibleAsync(orders, caller, orderId, cancellationToken),
                Attempts);
        }
        catch (DocumentPreconditionFailedException)
        {
            // Every attempt lost a race: with If-Match the client's ETag is stale; without it there was no precondition to fail.
            return ifMatch is null ? ApiError.Contended("The order") : ApiError.StaleETag();
        }
    }

    private async Task<Outcome<Versioned<Order>>> DecideAsync(Caller caller, Versioned<Order>? current, OrderStatus target, string? ifMatch, CancellationToken cancellationToken)
    {
        if (current is null)
        {
            return ApiError.NotFound("The order");
        }

        if (current.Value.Status == target)
        {
            return Outcome.Ok(current);
        }

        if (ifMatch is not null && !string.Equals(ifMatch, current.ETag, StringComparison.Ordinal))
        {
            return ApiError.StaleETag();
        }

        if (!OrderStateMachine.CanTransition(current.Value.Status, target))
        {
            return new ApiError(ProblemKind.Conflict, $"An order that is {current.Value.Status} cannot be {target.ToString().ToLowerInvariant()}.");
        }

        var reason = Reason(caller, current.Value, target);
        var traceId = Activity.Current?.TraceId.ToString();
        return Outcome.Ok(caller.IsAdmin
            ? await transitions.ApplyAsync(current, target, reason, traceId, new AuditAction(AuditActor.Of(caller), Operation(target)), cancellationToken)
            : await transitions.ApplyAsync(current, target, reason, traceId, cancellationToken));
    }

    /// <summary>An admin's change is audited; a customer's own cancellation is in the order's status history.</summary>
    private static string Operation(OrderStatus target) => target == OrderStatus.Shipped ? "order.shipped" : "order.cancelled";

    private static string? Reason(Caller caller, Order order, OrderStatus target) => target switch
    {
        OrderStatus.Cancelled when caller.IsAdmin && caller.UserId != order.CustomerId => "Cancelled by an admin",
        OrderStatus.Cancelled => "Cancelled by the customer",
        _ => null,
    };
}
