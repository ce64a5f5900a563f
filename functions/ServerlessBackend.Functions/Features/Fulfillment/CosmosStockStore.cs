using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// Reservations on the product documents: a point read, the rule decided on that snapshot, then one
/// patch (stock increment + the order's marker under <c>/reservations</c>) conditional on the snapshot's
/// ETag. A concurrent change makes the patch fail with 412 and the whole step is retried on fresh data,
/// so there is no read-then-write window. Product writes elsewhere are patches too, so they keep the markers.
/// </summary>
public sealed class CosmosStockStore(CosmosContainers containers) : IStockStore
{
    // Contention on a hot product costs retries; after this many the message fails and Service Bus retries it.
    private const int Attempts = 30;

    private Container Products => containers.Products;

    public Task<ReservationOutcome> ReserveAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken) =>
        CompareAndSwap<ReservationOutcome>(tenantId, productId, stock =>
        {
            var held = stock?.Reservations?.TryGetValue(orderId, out var q) == true ? q : (int?)null;
            var outcome = StockReservation.Decide(stock is not null, stock?.Active == true, stock?.AvailableStock ?? 0, held, quantity);
            if (outcome != ReservationOutcome.Reserved)
            {
                return (outcome, null);
            }

            PatchOperation marker = stock!.Reservations is null
                ? PatchOperation.Set("/reservations", new Dictionary<string, int> { [orderId] = quantity })
                : PatchOperation.Set(MarkerPath(orderId), quantity);
            return (outcome, [PatchOperation.Increment("/availableStock", -quantity), marker]);
        }, cancellationToken);

    public Task<bool> ReleaseAsync(string tenantId, string productId, string orderId, CancellationToken cancellationToken) =>
        CompareAndSwap<bool>(tenantId, productId, stock =>
            stock?.Reservations?.TryGetValue(orderId, out var quantity) == true
                ? (true, [PatchOperation.Increment("/availableStock", quantity), PatchOperation.Remove(MarkerPath(orderId))])
                : (false, null), cancellationToken);

    public Task<bool> CommitAsync(string tenantId, string productId, string orderId, CancellationToken cancellationToken) =>
        CompareAndSwap<bool>(tenantId, productId, stock =>
            stock?.Reservations?.ContainsKey(orderId) == true
                ? (true, [PatchOperation.Remove(MarkerPath(orderId))])
                : (false, null), cancellationToken);

    /// <summary>Reads the product, lets <paramref name="decide"/> choose a result and the patch, applies it if the product is unchanged.</summary>
    private async Task<T> CompareAndSwap<T>(
        string tenantId, string productId, Func<StockDocument?, (T Result, IReadOnlyList<PatchOperation>? Patch)> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await CosmosErrors.ReadOrNull<StockDocument>(Products, productId, tenantId, cancellationToken).ConfigureAwait(false);
            var (result, patch) = decide(current?.Value);
            if (patch is null || current is null)
            {
                return result;
            }

            try
            {
                await Products.PatchItemAsync<StockDocument>(
                    productId, new PartitionKey(tenantId), patch,
                    new PatchItemRequestOptions { IfMatchEtag = current.ETag, EnableContentResponseOnWrite = false },
                    cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed && attempt < Attempts)
            {
                // Someone changed the product since our read: decide again on fresh data, after a short random pause.
                await Task.Delay(Random.Shared.Next(1, 10 * Math.Min(attempt, 10)), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (CosmosErrors.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
        }
    }

    /// <summary>JSON Pointer to the order's marker (RFC 6901 escaping).</summary>
    private static string MarkerPath(string orderId) => "/reservations/" + orderId.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>The fields of a product document that reservations read.</summary>
    private sealed record StockDocument(int AvailableStock, bool Active, Dictionary<string, int>? Reservations);
}
