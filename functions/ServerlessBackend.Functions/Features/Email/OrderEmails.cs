using System.Globalization;
using System.Net;
using System.Text;
using ServerlessBackend.Functions.Domain.Orders;

namespace ServerlessBackend.Functions.Features.Email;

/// <summary>
/// The customer emails, one per event type that warrants one, as plain text and HTML. Everything that
/// came from users (product names, reasons, ids) is HTML-encoded in the HTML part.
/// </summary>
public static class OrderEmails
{
    private static readonly Dictionary<string, (string Subject, string Headline)> Templates = new()
    {
        [OrderEventTypes.OrderConfirmed] = ("Your order {0} is confirmed", "Good news: your order is confirmed and is being prepared."),
        [OrderEventTypes.OrderRejected] = ("We could not accept your order {0}", "Sorry: we could not accept your order, and you have not been charged."),
        [OrderEventTypes.OrderShipped] = ("Your order {0} has shipped", "Your order is on its way."),
        [OrderEventTypes.OrderCancelled] = ("Your order {0} is cancelled", "Your order has been cancelled as requested."),
        [OrderEventTypes.RefundSucceeded] = ("Your refund for order {0}", "We have refunded you: the money is on its way back to your payment method."),
        [OrderEventTypes.RefundFailed] = ("Your refund for order {0} did not go through", "Sorry: we could not refund your payment method. We will contact you to settle it."),
    };

    /// <summary>Whether this event type sends the customer an email (OrderPlaced does not).</summary>
    public static bool Covers(string eventType) => Templates.ContainsKey(eventType);

    /// <summary>The email for this event, or null when the event type sends none.</summary>
    public static EmailMessage? Compose(OrderEvent orderEvent, OrderEmailModel order, string fromAddress)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        ArgumentNullException.ThrowIfNull(order);
        if (!Templates.TryGetValue(orderEvent.Type, out var template))
        {
            return null;
        }

        var subject = string.Format(CultureInfo.InvariantCulture, template.Subject, order.OrderId);
        return new EmailMessage(order.To, subject, Text(order, template.Headline), Html(order, template.Headline), MessageId(orderEvent.Id, fromAddress));
    }

    /// <summary>A Message-ID stable per event: <c>{event id}@{sender domain}</c>.</summary>
    public static string MessageId(string eventId, string fromAddress)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        ArgumentNullException.ThrowIfNull(fromAddress);
        var at = fromAddress.LastIndexOf('@');
        var domain = at < 0 ? "localhost" : fromAddress[(at + 1)..];
        var local = new string(eventId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-').ToArray());
        return $"{local}@{domain}";
    }

    private static string Text(OrderEmailModel order, string headline)
    {
        var text = new StringBuilder()
            .AppendLine("Hello,").AppendLine()
            .AppendLine(headline)
            .AppendLine(CultureInfo.InvariantCulture, $"Order: {order.OrderId}");
        if (order.Reason is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Reason: {order.Reason}");
        }

        text.AppendLine();
        foreach (var line in order.Lines)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {line.Quantity} x {line.Name}  {Money(line.LineTotal, order.Currency)}");
        }

        return text.AppendLine(CultureInfo.InvariantCulture, $"{order.TotalLabel}: {Money(order.Total, order.Currency)}").ToString();
    }

    private static string Html(OrderEmailModel order, string headline)
    {
        static string E(string value) => WebUtility.HtmlEncode(value);
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body>")
            .Append("<p>Hello,</p>")
            .Append(CultureInfo.InvariantCulture, $"<p>{E(headline)}</p>")
            .Append(CultureInfo.InvariantCulture, $"<p>Order: <strong>{E(order.OrderId)}</strong></p>");
        if (order.Reason is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Reason: {E(order.Reason)}</p>");
        }

        html.Append("<table>");
        foreach (var line in order.Lines)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{line.Quantity} x {E(line.Name)}</td><td>{E(Money(line.LineTotal, order.Currency))}</td></tr>");
        }

        return html
            .Append(CultureInfo.InvariantCulture, $"<tr><td><strong>{E(order.TotalLabel)}</strong></td><td><strong>{E(Money(order.Total, order.Currency))}</strong></td></tr>")
            .Append("</table></body></html>")
            .ToString();
    }

    private static string Money(decimal amount, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{amount:0.00} {currency}");
}
