using ServerlessBackend.Functions.Domain.Catalog;

namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>
/// Per-product stock reservations. Each product document keeps a marker per order holding a reservation,
/// changed in the same atomic write as the stock, and a tombstone once the reservation is settled (released or
/// committed), kept at least <see cref="StockReservation.TombstoneHorizon"/>; so every operation is idempotent
/// per (order, product), and a stale delivery cannot take stock again for an order whose reservation has ended.
/// </summary>
public interface IStockStore
{
    /// <summary>Takes <paramref name="quantity"/> from the product's stock for the order, at most once.</summary>
    Task<ReservationOutcome> ReserveAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken);

    /// <summary>
    /// Gives the order's reservation (<paramref name="quantity"/>, the order's demand; the marker's own quantity wins)
    /// back to stock and leaves a tombstone; false when the order holds none (never reserved or already settled).
    /// </summary>
    Task<bool> ReleaseAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken);

    /// <summary>
    /// Gives back a reservation a decided order may still hold (a sweep, which usually finds none): one read, and the
    /// release only when there is a marker; false when there is none.
    /// </summary>
    Task<bool> ReleaseLeftoverAsync(string tenantId, string productId, string orderId, CancellationToken cancellationToken);

    /// <summary>
    /// Gives <paramref name="quantity"/> of returned goods back to stock, at most once per <paramref name="returnKey"/>: the
    /// stock and a marker under that key change in one conditional patch, refused while the marker or its tombstone is
    /// there (false). <see cref="CommitAsync"/> with the key settles the marker into a tombstone once the order records the return.
    /// </summary>
    Task<bool> ReturnAsync(string tenantId, string productId, string returnKey, int quantity, CancellationToken cancellationToken);

    /// <summary>Settles the order's reservation once the goods have shipped (the stock stays taken; a tombstone replaces the marker); false when none.</summary>
    Task<bool> CommitAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken);
}
