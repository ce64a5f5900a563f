using ServerlessBackend.Functions.Domain.Catalog;

namespace ServerlessBackend.UnitTests.Domain.Catalog;

public sealed class StockReservationTests
{
    [Theory]
    [InlineData(true, true, 5, null, false, 5, ReservationOutcome.Reserved)]
    [InlineData(true, true, 4, null, false, 5, ReservationOutcome.InsufficientStock)]
    [InlineData(true, true, 0, 3, false, 3, ReservationOutcome.AlreadyReserved)]
    [InlineData(true, false, 9, null, false, 1, ReservationOutcome.Unavailable)]
    [InlineData(false, false, 0, null, false, 1, ReservationOutcome.Unavailable)]
    [InlineData(true, false, 0, 2, false, 2, ReservationOutcome.AlreadyReserved)]
    [InlineData(true, true, 9, null, true, 1, ReservationOutcome.AlreadySettled)]
    [InlineData(true, false, 0, null, true, 1, ReservationOutcome.AlreadySettled)]
    public void Decides_on_the_snapshot(bool exists, bool active, int available, int? held, bool settled, int quantity, ReservationOutcome expected)
    {
        Assert.Equal(expected, StockReservation.Decide(exists, active, available, held, settled, quantity));
    }

    [Fact]
    public void A_quantity_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StockReservation.Decide(true, true, 5, null, false, 0));
    }

    [Fact]
    public void A_reservation_may_be_sent_on_an_order_read_less_than_the_snapshot_limit_ago()
    {
        var read = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(StockReservation.SnapshotLimit, StockReservation.TimeLeft(read, read));
        Assert.Equal(TimeSpan.FromSeconds(1), StockReservation.TimeLeft(read, read + StockReservation.SnapshotLimit - TimeSpan.FromSeconds(1)));
        Assert.True(StockReservation.TimeLeft(read, read + StockReservation.SnapshotLimit) <= TimeSpan.Zero);
    }

    [Fact]
    public void A_snapshot_read_at_a_time_the_clock_has_not_reached_has_no_time_left()
    {
        // The clock stepped back since the read: how old the snapshot is cannot be told, so it is read again.
        var read = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

        Assert.True(StockReservation.TimeLeft(read, read - TimeSpan.FromSeconds(1)) <= TimeSpan.Zero);
        Assert.True(StockReservation.TimeLeft(read, read - TimeSpan.FromDays(1)) <= TimeSpan.Zero);
    }

    [Fact]
    public void The_tombstone_horizon_is_far_longer_than_any_snapshot_a_reservation_is_sent_on()
    {
        Assert.True(StockReservation.TombstoneHorizon >= 10 * StockReservation.SnapshotLimit);
    }

    [Fact]
    public void Settlements_alternate_between_the_slots_one_horizon_each_and_a_slot_is_emptied_only_for_a_later_epoch()
    {
        var start = DateTimeOffset.FromUnixTimeMilliseconds(490_000 * (long)StockReservation.TombstoneHorizon.TotalMilliseconds);

        var first = StockReservation.SlotAt(start);
        var late = StockReservation.SlotAt(start + StockReservation.TombstoneHorizon - TimeSpan.FromMilliseconds(1));
        var next = StockReservation.SlotAt(start + StockReservation.TombstoneHorizon);
        var reused = StockReservation.SlotAt(start + (2 * StockReservation.TombstoneHorizon));

        Assert.Equal(new TombstoneSlot(0, 490_000), first);
        Assert.Equal(first, late);
        Assert.Equal(new TombstoneSlot(1, 490_001), next);
        Assert.Equal(new TombstoneSlot(0, 490_002), reused);
        Assert.Equal(SlotUse.EmptyFirst, reused.Use(first.Epoch));
        Assert.Equal(SlotUse.AsItIs, first.Use(first.Epoch));
    }

    [Fact]
    public void A_slot_stamped_with_an_epoch_the_clock_has_not_reached_is_restamped_keeping_its_tombstones()
    {
        // Only a clock at least a horizon ahead writes a later epoch into this slot; taken as it is, the slot would keep
        // every tombstone until that epoch comes (the product growing without bound), emptied it would drop fresh ones.
        var now = StockReservation.SlotAt(DateTimeOffset.FromUnixTimeMilliseconds(490_000 * (long)StockReservation.TombstoneHorizon.TotalMilliseconds));

        Assert.Equal(SlotUse.Restamp, now.Use(now.Epoch + 2));
        Assert.Equal(SlotUse.Restamp, now.Use(now.Epoch + 1_000_000));
    }
}
