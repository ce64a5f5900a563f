namespace ServerlessBackend.Functions.Domain.Catalog;

/// <summary>What reserving stock for one order line came to.</summary>
public enum ReservationOutcome
{
    /// <summary>Stock taken now.</summary>
    Reserved,

    /// <summary>This order already holds its reservation (a redelivery): nothing taken twice.</summary>
    AlreadyReserved,

    /// <summary>
    /// This order's reservation has already been given back or committed (a tombstone says so): the delivery
    /// asking is stale, and taking stock again would take stock that no live order holds.
    /// </summary>
    AlreadySettled,

    InsufficientStock,

    /// <summary>The product no longer exists or is inactive.</summary>
    Unavailable,
}

/// <summary>
/// The reservation rules. The store applies them server-side, in one conditional write per line: stock taken
/// and the order's marker set only if the product is active, has the stock and holds neither a marker nor a
/// tombstone for the order. <see cref="Decide"/> is the same rule on a snapshot, which the store reads only
/// when that condition failed, to say why. A released or committed marker becomes a tombstone, kept at least
/// <see cref="TombstoneHorizon"/>; a reservation is never sent on an order read older than
/// <see cref="SnapshotLimit"/>, so no stale delivery outlives the tombstone that stops it.
/// </summary>
public static class StockReservation
{
    /// <summary>
    /// The oldest order snapshot a reservation may be sent on (and the longest it may stay in flight): a delivery
    /// that read the order as Pending longer ago (its lock lost, the worker paused) reads it again first.
    /// </summary>
    public static readonly TimeSpan SnapshotLimit = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a tombstone is kept at least: tombstones live in two slots, one per horizon-long epoch, and a slot is
    /// emptied only when it is reused two epochs later, so a product holds at most two epochs' settlements. It must exceed
    /// <see cref="SnapshotLimit"/> by far (plus clock skew between instances): an order's reservation is settled only
    /// after the decision that ended Pending, so a delivery that saw Pending at most a snapshot limit ago always
    /// meets the tombstone.
    /// </summary>
    public static readonly TimeSpan TombstoneHorizon = TimeSpan.FromHours(1);

    /// <summary>The rule on a snapshot of the product (null fields: no marker, no tombstone for this order).</summary>
    public static ReservationOutcome Decide(bool exists, bool active, int availableStock, int? alreadyReservedForOrder, bool settledForOrder, int quantity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        if (alreadyReservedForOrder is not null)
        {
            return ReservationOutcome.AlreadyReserved;
        }

        if (settledForOrder)
        {
            return ReservationOutcome.AlreadySettled;
        }

        if (!exists || !active)
        {
            return ReservationOutcome.Unavailable;
        }

        return availableStock >= quantity ? ReservationOutcome.Reserved : ReservationOutcome.InsufficientStock;
    }

    /// <summary>
    /// How much longer a reservation may be sent on, or be in flight for, an order read at <paramref name="readAt"/>; none
    /// left when not positive, nor when the clock is now before the read (it stepped back: the snapshot's age is unknown).
    /// </summary>
    public static TimeSpan TimeLeft(DateTimeOffset readAt, DateTimeOffset now) =>
        now < readAt ? TimeSpan.Zero : SnapshotLimit - (now - readAt);

    /// <summary>The tombstone slot a settlement at <paramref name="now"/> writes to.</summary>
    public static TombstoneSlot SlotAt(DateTimeOffset now)
    {
        var epoch = now.ToUnixTimeMilliseconds() / (long)TombstoneHorizon.TotalMilliseconds;
        return new TombstoneSlot((int)(epoch % TombstoneSlot.Count), epoch);
    }
}

/// <summary>
/// One of the <see cref="Count"/> tombstone slots of a product: <see cref="Epoch"/> counts horizons since the
/// Unix epoch, and slot <see cref="Index"/> holds the epochs of its parity. A slot holding this epoch takes the
/// tombstone as it is. One holding an older epoch is emptied first and takes the new one (its tombstones are at least
/// a horizon old). One holding a later epoch was written by a clock at least a horizon ahead (a clock a little ahead
/// writes the next epoch into the other slot): taken as it is, it would keep every tombstone until that epoch comes
/// and the product would grow without bound; emptied, it would drop tombstones that may be fresh. So it is restamped
/// with this epoch, tombstones kept, and is emptied in its turn two epochs on.
/// </summary>
public sealed record TombstoneSlot(int Index, long Epoch)
{
    public const int Count = 2;

    public SlotUse Use(long storedEpoch) =>
        storedEpoch == Epoch ? SlotUse.AsItIs : storedEpoch < Epoch ? SlotUse.EmptyFirst : SlotUse.Restamp;
}

/// <summary>What a settlement does to the tombstone slot it writes to, by the epoch the slot holds (see <see cref="TombstoneSlot"/>).</summary>
public enum SlotUse
{
    AsItIs,
    EmptyFirst,
    Restamp,
}
