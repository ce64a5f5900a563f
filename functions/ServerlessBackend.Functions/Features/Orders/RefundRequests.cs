using System.Text.Json.Serialization;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Catalog;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>
/// POST /orders/{id}/refunds body, every member optional: no lines and no amount refunds what is left of the capture;
/// lines alone refund their value; an amount refunds that much (with lines: the lines, for that amount). A line
/// <see cref="RefundLineRequest.WithReturn"/> gives its quantity back to stock once the refund succeeded.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RefundRequest(IReadOnlyList<RefundLineRequest?>? Lines, decimal? Amount, string? Reason)
{
    public const int MaxReasonLength = 200;

    public FieldErrors Validate()
    {
        var errors = new FieldErrors();
        var lines = Lines ?? [];
        if (lines.Count > PlaceOrderRequest.MaxLines)
        {
            errors.Add("lines", $"At most {PlaceOrderRequest.MaxLines} lines.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] is not { } line)
            {
                errors.Add($"lines[{i}]", "Required.");
                continue;
            }

            ProductIds.Validate(errors, $"lines[{i}].productId", line.ProductId);
            if (line.ProductId is not null && !seen.Add(line.ProductId))
            {
                errors.Add($"lines[{i}].productId", "Listed twice: use one line with the total quantity.");
            }

            errors.Range($"lines[{i}].quantity", line.Quantity, 1, PlaceOrderRequest.MaxQuantity);
        }

        if (Amount is <= 0)
        {
            errors.Add("amount", "More than 0, in the order's currency (major units, like the order total).");
        }

        errors.OptionalText("reason", Reason, MaxReasonLength);
        return errors;
    }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RefundLineRequest(string? ProductId, int? Quantity, bool WithReturn = false);
