using System.Text.RegularExpressions;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Shared.Catalog;

/// <summary>What a product's fields may hold; the catalog validates with them, and orders check product ids with them.</summary>
public static partial class ProductRules
{
    public const int MaxIdLength = 64;
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 2000;
    public const int MaxStock = 1_000_000;
    public const decimal MaxPrice = 1_000_000m;

    /// <summary>Product ids (SKUs) are URL- and Cosmos-id-safe: letters, digits, '.', '_', '-'.</summary>
    public static bool IsValidId(string? id) => id is { Length: > 0 and <= MaxIdLength } && IdPattern().IsMatch(id);

    public static void Id(FieldErrors errors, string field, string? id)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(id))
        {
            errors.Add(field, "Required.");
        }
        else if (!IsValidId(id))
        {
            errors.Add(field, $"1 to {MaxIdLength} letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }
    }

    public static void Details(FieldErrors errors, string? name, string? description, decimal? price, string? currency)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.RequireText("name", name, MaxNameLength);
        errors.OptionalText("description", description, MaxDescriptionLength);

        var validCurrency = currency is not null && CurrencyPattern().IsMatch(currency);
        if (price is null)
        {
            errors.Add("price", "Required.");
        }
        else if (price < 0 || price > MaxPrice || decimal.Round(price.Value, 2) != price
            || (validCurrency && !MinorUnits.TryConvert(price.Value, currency!, out _)))
        {
            // A price its currency cannot pay exactly (JPY 100.5) would make orders of it payable or not by quantity.
            errors.Add("price", validCurrency
                ? $"From 0 to {MaxPrice}, with at most {PriceDecimals(currency!)} decimal places in {currency}."
                : $"From 0 to {MaxPrice}, with at most 2 decimal places.");
        }

        if (!validCurrency)
        {
            errors.Add("currency", "An ISO 4217 code in upper case, e.g. EUR.");
        }
    }

    // Payable decimals: a three-decimal currency's last digit must be 0 (see MinorUnits).
    private static int PriceDecimals(string currency) => Math.Min(2, MinorUnits.Decimals(currency));

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\z")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^[A-Z]{3}\z")]
    private static partial Regex CurrencyPattern();
}
