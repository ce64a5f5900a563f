using ServerlessBackend.Functions.Domain.Payments;

namespace ServerlessBackend.Functions.Domain.Orders;

/// <summary>
/// What may be refunded: only a shipped order whose payment was captured; never more than the capture, counting every
/// refund that has not failed (requested and pending ones included, so concurrent requests decided on the same order
/// version can never both fit: the second write loses the ETag race and is decided again); per line never more than was
/// ordered, counting the same refunds. The amount is the one asked for, else the lines' value, else what is left.
/// </summary>
public static class RefundRules
{
    public static RefundVerdict Decide(Order order, RefundAsk ask)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(ask);
        if (order.Status != OrderStatus.Shipped)
        {
            return RefundVerdict.Refused(RefundRefusal.NotShipped, $"An order that is {order.Status} cannot be refunded: only a shipped order can.");
        }

        if (order.Payment is not { Status: PaymentStatus.Captured } payment)
        {
            return RefundVerdict.Refused(RefundRefusal.NotCaptured, "The order's payment was not captured: there is nothing to refund.");
        }

        var lines = new List<RefundLine>();
        long linesValue = 0;
        for (var i = 0; i < ask.Lines.Count; i++)
        {
            var asked = ask.Lines[i];
            var ordered = order.Lines.FirstOrDefault(l => l.ProductId == asked.ProductId);
            if (ordered is null)
            {
                return RefundVerdict.Refused(RefundRefusal.UnknownLine, "The order has no line with this product.", $"lines[{i}].productId");
            }

            var refunded = order.Refunds.Where(r => r.Counts).SelectMany(r => r.Lines).Where(l => l.ProductId == asked.ProductId).Sum(l => l.Quantity);
            if (asked.Quantity > ordered.Quantity - refunded)
            {
                return RefundVerdict.Refused(
                    RefundRefusal.LineOverRefunded,
                    $"At most {ordered.Quantity - refunded} of this line can still be refunded ({ordered.Quantity} ordered, {refunded} refunded or being refunded).",
                    $"lines[{i}].quantity");
            }

            lines.Add(asked);
            linesValue += MinorUnits.ToMinorUnits(ordered.UnitPrice * asked.Quantity, payment.Currency);
        }

        var left = payment.AmountMinor - order.RefundedMinor;
        var amount = ask.AmountMinor ?? (lines.Count > 0 ? linesValue : left);
        if (left <= 0)
        {
            return RefundVerdict.Refused(RefundRefusal.OverCapture, "The captured amount is refunded (or being refunded) in full already.");
        }

        if (amount > left)
        {
            return RefundVerdict.Refused(
                RefundRefusal.OverCapture,
                $"{Display(amount, payment.Currency)} is more than the {Display(left, payment.Currency)} of the capture not refunded yet (or being refunded).",
                ask.AmountMinor is null ? null : "amount");
        }

        return new RefundVerdict(amount, lines, Refusal: null, Detail: null, Field: null);
    }

    private static string Display(long minor, string currency) =>
        $"{MinorUnits.ToAmount(minor, currency).ToString($"F{MinorUnits.Decimals(currency)}", System.Globalization.CultureInfo.InvariantCulture)} {currency}";
}

/// <summary>What a refund request asks for: lines (possibly none) and an amount in minor units (null: the lines' value, or all that is left).</summary>
public sealed record RefundAsk(IReadOnlyList<RefundLine> Lines, long? AmountMinor);

public enum RefundRefusal
{
    NotShipped,
    NotCaptured,
    UnknownLine,
    LineOverRefunded,
    OverCapture,
}

/// <summary>The amount and lines to refund, or why not (<see cref="Field"/>: the request field at fault, if one is).</summary>
public sealed record RefundVerdict(long AmountMinor, IReadOnlyList<RefundLine> Lines, RefundRefusal? Refusal, string? Detail, string? Field)
{
    public static RefundVerdict Refused(RefundRefusal refusal, string detail, string? field = null) => new(0, [], refusal, detail, field);
}
