using ServerlessBackend.Functions.Domain.Catalog;

namespace ServerlessBackend.Tests.Domain.Catalog;

public sealed class StockReservationTests
{
    [Theory]
    [InlineData(true, true, 5, null, 5, ReservationOutcome.Reserved)]
    [InlineData(true, true, 4, null, 5, ReservationOutcome.InsufficientStock)]
    [InlineData(true, true, 0, 3, 3, ReservationOutcome.AlreadyReserved)]
    [InlineData(true, false, 9, null, 1, ReservationOutcome.Unavailable)]
    [InlineData(false, false, 0, null, 1, ReservationOutcome.Unavailable)]
    [InlineData(true, false, 0, 2, 2, ReservationOutcome.AlreadyReserved)]
    public void Decides_on_the_snapshot(bool exists, bool active, int available, int? held, int quantity, ReservationOutcome expected)
    {
        Assert.Equal(expected, StockReservation.Decide(exists, active, available, held, quantity));
    }

    [Fact]
    public void A_quantity_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StockReservation.Decide(true, true, 5, null, 0));
    }
}
