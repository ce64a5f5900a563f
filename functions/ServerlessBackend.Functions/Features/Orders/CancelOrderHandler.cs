using System.Diagnostics;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>
/// The order's customer (or an admin) cancels it where the state machine allows: read, transition, replace
/// on the ETag read. With If-Match the client's ETag must still be current (412 otherwise); without it, a
/// concurrent change (fulfillment confirming) makes us re-read and decide again.
/// </summary>
public sealed class CancelOrderHandler(IOrderStore orders, AfterWritePublisher publisher, TimeProvider clock)
{
    private const int Attempts = 3;

    public async Task<Outcome<Versioned<Order>>> HandleAsync(Caller caller, string orderId, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        for (var attempt = 1; ; attempt++)
        {
            var current = await ReadOrdersHandler.ReadVisibleAsync(orders, caller, orderId, cancellationToken);
            if (current is null)
            {
                return ApiError.NotFound("The order");
            }

            if (ifMatch is not null && !string.Equals(ifMatch, current.ETag, StringComparison.Ordinal))
            {
                return ApiError.StaleETag();
            }

            if (!OrderStateMachine.CanTransition(current.Value.Status, OrderStatus.Cancelled))
            {
                return new ApiError(ProblemKind.Conflict, $"An order that is {current.Value.Status} cannot be cancelled.");
            }

            var reason = caller.IsAdmin && caller.UserId != current.Value.CustomerId ? "Cancelled by an admin" : "Cancelled by the customer";
            var cancelled = current.Value.TransitionTo(OrderStatus.Cancelled, clock.GetUtcNow(), reason, Activity.Current?.TraceId.ToString());
            try
            {
                var etag = await orders.ReplaceAsync(cancelled, current.ETag, cancellationToken);
                var written = new Versioned<Order>(cancelled, etag);
                return Outcome.Ok(await publisher.PublishAsync(written, cancellationToken));
            }
            catch (DocumentPreconditionFailedException) when (ifMatch is null && attempt < Attempts)
            {
                // Changed since our read: decide again on the new state.
            }
            catch (DocumentPreconditionFailedException)
            {
                return ApiError.StaleETag();
            }
        }
    }
}
