using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Catalog;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>
/// POST /orders body. Prices are never taken from the client: they come from the catalog at order time.
/// <see cref="PaymentMethod"/> is the customer's payment method at the provider (a Stripe PaymentMethod id such as
/// pm_card_visa); without one the provider decides (the local one authorizes, Stripe asks the customer to act).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed partial record PlaceOrderRequest(IReadOnlyList<OrderLineRequest?>? Lines, string? ContactEmail, string? PaymentMethod = null)
{
    public const int MaxLines = 50;
    public const int MaxQuantity = 1000;

    public FieldErrors Validate()
    {
        var errors = new FieldErrors();
        if (Lines is null || Lines.Count == 0)
        {
            errors.Add("lines", "At least one line is required.");
            return errors;
        }

        if (Lines.Count > MaxLines)
        {
            errors.Add("lines", $"At most {MaxLines} lines.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Lines.Count; i++)
        {
            var line = Lines[i];
            if (line is null)
            {
                errors.Add($"lines[{i}]", "Required.");
                continue;
            }

            ProductIds.Validate(errors, $"lines[{i}].productId", line.ProductId);
            if (line.ProductId is not null && !seen.Add(line.ProductId))
            {
                errors.Add($"lines[{i}].productId", "Listed twice: use one line with the total quantity.");
            }

            errors.Range($"lines[{i}].quantity", line.Quantity, 1, MaxQuantity);
        }

        if (ContactEmail is not null && !Orders.ContactEmail.IsAcceptable(ContactEmail))
        {
            errors.Add("contactEmail", Orders.ContactEmail.Rule);
        }

        if (PaymentMethod is not null && !PaymentMethodPattern().IsMatch(PaymentMethod))
        {
            errors.Add("paymentMethod", "A payment method id: pm_ and 1 to 100 letters, digits or underscores.");
        }

        return errors;
    }

    [GeneratedRegex(@"^pm_[A-Za-z0-9_]{1,100}\z")]
    private static partial Regex PaymentMethodPattern();
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record OrderLineRequest(string? ProductId, int? Quantity);

/// <summary>The Idempotency-Key header (IETF httpapi draft): required on POST /orders.</summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 128;

    /// <summary>The key (a structured-field string's quotes removed), or a 400 problem; the header given twice is refused.</summary>
    public static Outcome<string> Parse(StringValues header)
    {
        if (header.Count > 1)
        {
            return ApiError.Field(Header, "Give one key, once.");
        }

        var value = HeaderValues.TrimOptionalWhiteSpace(header.ToString());
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
        }

        if (value.Length == 0)
        {
            return ApiError.Field(Header, "Required: a unique key per order attempt, reused only to retry that attempt.");
        }

        return value.Length <= MaxLength && value.All(c => c is > ' ' and <= '~' and not '"')
            ? Outcome.Ok(value)
            : ApiError.Field(Header, $"1 to {MaxLength} visible ASCII characters.");
    }
}
