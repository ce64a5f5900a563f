namespace ServerlessBackend.Functions.Domain.Payments;

/// <summary>
/// Amounts in a currency's minor units, as payment providers take them (Stripe's rules): most currencies have two
/// decimals, the zero-decimal ones none, the three-decimal ones three with the last digit 0. A conversion is exact or
/// refused: money is never rounded on its way to a provider.
/// </summary>
public static class MinorUnits
{
    private static readonly HashSet<string> ZeroDecimal =
        ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

    private static readonly HashSet<string> ThreeDecimal = ["BHD", "JOD", "KWD", "OMR", "TND"];

    /// <summary>Decimals of the currency's minor unit (ISO 4217 upper case): 0, 2 or 3.</summary>
    public static int Decimals(string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        return ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;
    }

    /// <summary>The amount in minor units; false when it has more decimals than the currency takes (or, for a three-decimal currency, a last digit other than 0), or is negative or too large.</summary>
    public static bool TryConvert(decimal amount, string currency, out long minor)
    {
        minor = 0;
        if (amount < 0)
        {
            return false;
        }

        var scaled = amount * Scale(Decimals(currency));
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue)
        {
            return false;
        }

        minor = (long)scaled;
        return Decimals(currency) != 3 || minor % 10 == 0;
    }

    /// <summary>The amount in minor units; throws when it cannot be represented exactly (see <see cref="TryConvert"/>).</summary>
    public static long ToMinorUnits(decimal amount, string currency) =>
        TryConvert(amount, currency, out var minor)
            ? minor
            : throw new ArgumentException($"{amount} {currency} is not a whole number of the currency's payable minor units.", nameof(amount));

    /// <summary>Minor units back to the amount (for display and messages).</summary>
    public static decimal ToAmount(long minor, string currency) => Money.Normalize(minor / Scale(Decimals(currency)));

    private static decimal Scale(int decimals) => decimals switch { 0 => 1m, 3 => 1000m, _ => 100m };
}
