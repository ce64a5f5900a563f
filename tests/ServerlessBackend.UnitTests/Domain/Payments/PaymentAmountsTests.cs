using ServerlessBackend.Functions.Domain.Payments;

namespace ServerlessBackend.UnitTests.Domain.Payments;

public sealed class PaymentAmountsTests
{
    [Theory]
    [InlineData("12.50", "EUR", 1250)]
    [InlineData("0.01", "USD", 1)]
    [InlineData("999999.99", "USD", 99999999)]
    [InlineData("500", "JPY", 500)]
    [InlineData("1500", "KRW", 1500)]
    [InlineData("5.120", "KWD", 5120)]
    [InlineData("5.12", "BHD", 5120)]
    [InlineData("0", "EUR", 0)]
    public void An_amount_converts_to_exact_minor_units_by_the_currencys_decimals(string amount, string currency, long expected)
    {
        Assert.True(MinorUnits.TryConvert(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency, out var minor));
        Assert.Equal(expected, minor);
        Assert.Equal(expected, MinorUnits.ToMinorUnits(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency));
    }

    [Theory]
    [InlineData("12.505", "EUR")]
    [InlineData("0.001", "USD")]
    [InlineData("500.5", "JPY")]
    [InlineData("5.124", "KWD")]
    [InlineData("5.1245", "TND")]
    [InlineData("-1", "EUR")]
    public void An_amount_that_is_not_a_whole_number_of_payable_minor_units_is_refused_never_rounded(string amount, string currency)
    {
        var value = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);

        Assert.False(MinorUnits.TryConvert(value, currency, out _));
        Assert.Throws<ArgumentException>(() => MinorUnits.ToMinorUnits(value, currency));
    }

    [Theory]
    [InlineData(1250, "EUR", "12.5")]
    [InlineData(500, "JPY", "500")]
    [InlineData(5120, "KWD", "5.12")]
    public void Minor_units_convert_back_to_the_amount(long minor, string currency, string expected)
    {
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), MinorUnits.ToAmount(minor, currency));
    }

    [Theory]
    [InlineData("0.50", "EUR", PaymentCheckResult.Payable, 50)]
    [InlineData("0.49", "EUR", PaymentCheckResult.BelowMinimum, 49)]
    [InlineData("0.29", "GBP", PaymentCheckResult.BelowMinimum, 29)]
    [InlineData("0.30", "GBP", PaymentCheckResult.Payable, 30)]
    [InlineData("49", "JPY", PaymentCheckResult.BelowMinimum, 49)]
    [InlineData("50", "JPY", PaymentCheckResult.Payable, 50)]
    [InlineData("999999.99", "USD", PaymentCheckResult.Payable, 99999999)]
    [InlineData("1000000.00", "USD", PaymentCheckResult.AboveMaximum, 100000000)]
    [InlineData("100000000", "JPY", PaymentCheckResult.AboveMaximum, 100000000)]
    [InlineData("12.505", "EUR", PaymentCheckResult.NotExact, 0)]
    [InlineData("12.50", "KWD", PaymentCheckResult.UnsupportedCurrency, 0)]
    [InlineData("12.50", "XYZ", PaymentCheckResult.UnsupportedCurrency, 0)]
    public void Stripes_limits_decide_what_can_be_paid(string amount, string currency, PaymentCheckResult expected, long minor)
    {
        var check = PaymentLimits.Check(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency);

        Assert.Equal(new PaymentCheck(expected, minor), check);
        Assert.Equal(expected == PaymentCheckResult.Payable, PaymentLimits.Describe(check, currency) is null);
    }

    [Fact]
    public void Every_supported_currency_has_a_minimum_that_is_exact_in_its_minor_units_and_below_the_maximum()
    {
        Assert.Contains("EUR", PaymentLimits.SupportedCurrencies);
        Assert.All(PaymentLimits.SupportedCurrencies, c => Assert.InRange(PaymentLimits.MinimumMinor(c), 1, PaymentLimits.MaxAmountMinor));
        Assert.Equal("The total is below the minimum payment of 0.50 EUR.", PaymentLimits.Describe(PaymentLimits.Check(0.1m, "EUR"), "EUR"));
        Assert.Equal("Payments in XYZ are not supported.", PaymentLimits.Describe(PaymentLimits.Check(1m, "XYZ"), "XYZ"));
    }

    [Fact]
    public void Refusals_write_amounts_with_the_currencys_decimals_whatever_the_culture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        var comma = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        System.Globalization.CultureInfo.CurrentCulture = comma;
        try
        {
            Assert.Equal("The total is below the minimum payment of 50 JPY.", PaymentLimits.Describe(PaymentLimits.Check(10m, "JPY"), "JPY"));
            Assert.Equal("The total is above the maximum payment of 999999.99 EUR.", PaymentLimits.Describe(PaymentLimits.Check(1_000_000m, "EUR"), "EUR"));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }
}
