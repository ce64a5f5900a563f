using System.Globalization;

namespace ServerlessBackend.Functions.Domain.Payments;

/// <summary>
/// What a payment may be, by Stripe's published limits; every provider applies them, so the local one refuses what
/// Stripe would. Supported are the currencies for which Stripe publishes a minimum charge: for any other it only says
/// "the equivalent of USD 0.50", which depends on the day's exchange rate and so could not be refused at placement.
/// The maximum is Stripe's eight digits of minor units.
/// </summary>
public static class PaymentLimits
{
    public const long MaxAmountMinor = 99_999_999;

    // Stripe's "Minimum and maximum charge amounts" table (docs.stripe.com/currencies), in major units.
    private static readonly Dictionary<string, decimal> MinimumCharge = new(StringComparer.Ordinal)
    {
        ["USD"] = 0.50m,
        ["AED"] = 2.00m,
        ["AUD"] = 0.50m,
        ["BGN"] = 1.00m,
        ["BRL"] = 0.50m,
        ["CAD"] = 0.50m,
        ["CHF"] = 0.50m,
        ["CZK"] = 15.00m,
        ["DKK"] = 2.50m,
        ["EUR"] = 0.50m,
        ["GBP"] = 0.30m,
        ["HKD"] = 4.00m,
        ["HUF"] = 175.00m,
        ["INR"] = 0.50m,
        ["JPY"] = 50m,
        ["MXN"] = 10m,
        ["MYR"] = 2m,
        ["NOK"] = 3.00m,
        ["NZD"] = 0.50m,
        ["PLN"] = 2.00m,
        ["RON"] = 2.00m,
        ["SEK"] = 3.00m,
        ["SGD"] = 0.50m,
        ["THB"] = 10m,
    };

    public static IReadOnlyCollection<string> SupportedCurrencies => MinimumCharge.Keys;

    /// <summary>The smallest payable amount of a supported currency, in minor units.</summary>
    public static long MinimumMinor(string currency) =>
        MinimumCharge.TryGetValue(currency, out var minimum)
            ? MinorUnits.ToMinorUnits(minimum, currency)
            : throw new ArgumentException($"{currency} is not a supported payment currency.", nameof(currency));

    /// <summary>Whether <paramref name="amount"/> in <paramref name="currency"/> can be paid, and its minor units when it can.</summary>
    public static PaymentCheck Check(decimal amount, string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        if (!MinimumCharge.ContainsKey(currency))
        {
            return new(PaymentCheckResult.UnsupportedCurrency, 0);
        }

        if (!MinorUnits.TryConvert(amount, currency, out var minor))
        {
            return new(PaymentCheckResult.NotExact, 0);
        }

        return minor < MinimumMinor(currency) ? new(PaymentCheckResult.BelowMinimum, minor)
            : minor > MaxAmountMinor ? new(PaymentCheckResult.AboveMaximum, minor)
            : new(PaymentCheckResult.Payable, minor);
    }

    /// <summary>A refusal in words for the client (null when payable), e.g. for a 422.</summary>
    public static string? Describe(PaymentCheck check, string currency) => check.Result switch
    {
        PaymentCheckResult.Payable => null,
        PaymentCheckResult.UnsupportedCurrency => $"Payments in {currency} are not supported.",
        PaymentCheckResult.NotExact => $"The total is not a payable amount of {currency}.",
        PaymentCheckResult.BelowMinimum => $"The total is below the minimum payment of {Display(MinimumMinor(currency), currency)} {currency}.",
        _ => $"The total is above the maximum payment of {Display(MaxAmountMinor, currency)} {currency}.",
    };

    /// <summary>An amount as written in messages: the currency's decimals, invariant culture (0.50 EUR, 50 JPY).</summary>
    private static string Display(long minor, string currency) =>
        MinorUnits.ToAmount(minor, currency).ToString($"F{MinorUnits.Decimals(currency)}", CultureInfo.InvariantCulture);
}

public enum PaymentCheckResult
{
    Payable,
    UnsupportedCurrency,
    NotExact,
    BelowMinimum,
    AboveMaximum,
}

/// <summary>The outcome of <see cref="PaymentLimits.Check"/>; <see cref="AmountMinor"/> is meaningful unless the currency is unsupported or the amount not exact.</summary>
public sealed record PaymentCheck(PaymentCheckResult Result, long AmountMinor)
{
    public bool IsPayable => Result == PaymentCheckResult.Payable;
}
