namespace ServerlessBackend.Functions.Domain.Catalog;

/// <summary>What reserving stock for one order line came to.</summary>
public enum ReservationOutcome
{
    /// <summary>Stock taken now.</summary>
    Reserved,

    /// <summary>This order already holds its reservation (a redelivery): nothing taken twice.</summary>
    AlreadyReserved,

    InsufficientStock,

    /// <summary>The product no longer exists or is inactive.</summary>
    Unavailable,
}

/// <summary>
/// The reservation rule, decided on a snapshot of the product: the store applies the decision only if
/// the product is still that snapshot (ETag compare-and-swap), so two orders can never both take the last unit.
/// </summary>
public static class StockReservation
{
    public static ReservationOutcome Decide(bool exists, bool active, int availableStock, int? alreadyReservedForOrder, int quantity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        if (alreadyReservedForOrder is not null)
        {
            return ReservationOutcome.AlreadyReserved;
        }

        if (!exists || !active)
        {
            return ReservationOutcome.Unavailable;
        }

        return availableStock >= quantity ? ReservationOutcome.Reserved : ReservationOutcome.InsufficientStock;
    }
}
