using ServerlessBackend.Functions.Domain.Catalog;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// Per-product stock reservations. Each product document keeps a marker per order holding a reservation,
/// changed in the same atomic write as the stock, so every operation is idempotent per (order, product).
/// </summary>
public interface IStockStore
{
    /// <summary>Takes <paramref name="quantity"/> from the product's stock for the order, at most once.</summary>
    Task<ReservationOutcome> ReserveAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken);

    /// <summary>Gives the order's reservation back to stock; false when the order holds none (never reserved or already released).</summary>
    Task<bool> ReleaseAsync(string tenantId, string productId, string orderId, CancellationToken cancellationToken);

    /// <summary>Forgets the order's reservation marker once the goods have shipped (the stock stays taken); false when none.</summary>
    Task<bool> CommitAsync(string tenantId, string productId, string orderId, CancellationToken cancellationToken);
}
