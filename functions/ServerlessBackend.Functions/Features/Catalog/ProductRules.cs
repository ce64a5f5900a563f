using System.Globalization;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Catalog;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>What a product's fields other than its id may hold (ids: <see cref="ProductIds"/>).</summary>
public static class ProductRules
{
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 2000;
    public const int MaxStock = 1_000_000;
    public const decimal MaxPrice = 1_000_000m;

    public static void Details(FieldErrors errors, string? name, string? description, decimal? price, string? currency)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.RequireText("name", name, MaxNameLength);
        errors.OptionalText("description", description, MaxDescriptionLength);

        // Only what a payment provider of the app takes (PaymentLimits): a product in another currency could never be
        // paid, and every order of it would be a 422.
        var validCurrency = currency is not null && PaymentLimits.SupportedCurrencies.Contains(currency);
        if (price is null)
        {
            errors.Add("price", "Required.");
        }
        else if (price < 0 || price > MaxPrice || decimal.Round(price.Value, 2) != price
            || (validCurrency && PaymentLimits.Check(price.Value, currency!).Result is not (PaymentCheckResult.Payable or PaymentCheckResult.BelowMinimum)))
        {
            // A price its currency cannot pay exactly (JPY 100.5) would make orders of it payable or not by quantity;
            // one above the largest payment (1,000,000 EUR) could never be paid. Below the minimum is fine: a larger
            // quantity or other lines reach it.
            errors.Add("price", validCurrency
                ? $"From 0 to {MaxPayable(currency!)}, with at most {PriceDecimals(currency!)} decimal places in {currency}."
                : $"From 0 to {MaxPrice}, with at most 2 decimal places.");
        }

        if (!validCurrency)
        {
            errors.Add("currency", $"A currency payments are taken in, in upper case: {string.Join(", ", PaymentLimits.SupportedCurrencies.Order(StringComparer.Ordinal))}.");
        }
    }

    /// <summary>The largest price in <paramref name="currency"/>: <see cref="MaxPrice"/>, or less where the largest payment is less.</summary>
    private static string MaxPayable(string currency) =>
        Math.Min(MaxPrice, MinorUnits.ToAmount(PaymentLimits.MaxAmountMinor, currency)).ToString(CultureInfo.InvariantCulture);

    // Payable decimals: a three-decimal currency's last digit must be 0 (see MinorUnits).
    private static int PriceDecimals(string currency) => Math.Min(2, MinorUnits.Decimals(currency));
}
