using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Functions.Shared.Orders;

/// <summary>
/// The one loop for a change decided on what the order holds: decide on the version read and write on its ETag; when
/// the write loses a race (<see cref="DocumentPreconditionFailedException"/>), read the order again and decide again.
/// The last attempt's 412 propagates: a message is retried by Service Bus, a request answers it. Besides concurrent
/// changes, the publisher marking events published changes the ETag, so a lost race usually ends in the same decision.
/// </summary>
public static class OrderRaces
{
    /// <summary>Attempts of a message's consumer.</summary>
    public const int MessageAttempts = 5;

    /// <param name="current">The version read (or written) last.</param>
    /// <param name="decide">Decides on a version and makes its write (or none); throws the 412 of a lost race.</param>
    /// <param name="reread">Reads the order again after a lost race, with the caller's rule for an order that is gone.</param>
    /// <param name="attempts">How many times <paramref name="decide"/> runs at most.</param>
    public static async Task<TResult> DecideAsync<TOrder, TResult>(
        TOrder current, Func<TOrder, Task<TResult>> decide, Func<TOrder, Task<TOrder>> reread, int attempts = MessageAttempts)
    {
        ArgumentNullException.ThrowIfNull(decide);
        ArgumentNullException.ThrowIfNull(reread);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await decide(current).ConfigureAwait(false);
            }
            catch (DocumentPreconditionFailedException) when (attempt < attempts)
            {
                current = await reread(current).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The order as it stands now, read again after a lost race; one that is gone meanwhile is an error (retried), not a poison message.</summary>
    public static async Task<Versioned<Order>> RereadAsync(this IOrderStore orders, Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(order);
        return await orders.GetAsync(order.TenantId, order.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Order {order.TenantId}/{order.Id} disappeared while its payment was being recorded.");
    }
}
