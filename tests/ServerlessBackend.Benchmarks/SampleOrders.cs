using System.Globalization;
using System.Text;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Features.Orders;

namespace ServerlessBackend.Benchmarks;

/// <summary>
/// Inputs shaped like real traffic: a typical order (3 lines) and a maximal one
/// (<see cref="PlaceOrderRequest.MaxLines"/> lines), as a request body, a stored order and an email.
/// </summary>
public static class SampleOrders
{
    public const int TypicalLines = 3;
    public const string TenantId = "tenant-bench";
    public const string CustomerId = "customer-bench";
    public const string ContactEmail = "customer@example.test";

    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The POST /v1/orders body with <paramref name="lines"/> distinct products.</summary>
    public static string Body(int lines)
    {
        var body = new StringBuilder("{\"lines\":[");
        for (var i = 0; i < lines; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ",")}{{\"productId\":\"{ProductId(i)}\",\"quantity\":{(i % 5) + 1}}}");
        }

        return body.Append(CultureInfo.InvariantCulture, $"],\"contactEmail\":\"{ContactEmail}\"}}").ToString();
    }

    public static PlaceOrderRequest Request(int lines) =>
        new([.. Enumerable.Range(0, lines).Select(i => new OrderLineRequest(ProductId(i), (i % 5) + 1))], ContactEmail);

    /// <summary>A placed order as stored: lines priced, one status change, the OrderPlaced event in its outbox.</summary>
    public static Order Placed(int lines)
    {
        var priced = Enumerable.Range(0, lines)
            .Select(i => OrderLine.Priced(ProductId(i), $"Product {i} <b>\"special\"</b> & more", (i % 5) + 1, 10.5m + i))
            .ToList();
        return Order.Place("ord-0123456789abcdef0123456789abcdef", TenantId, CustomerId, ContactEmail, priced, "EUR", new string('a', 64), Now, "0af7651916cd43dd8448eb211c80319c");
    }

    /// <summary>The event the fulfillment step publishes when it confirms the order.</summary>
    public static OrderEvent Confirmed(Order order) =>
        new(Order.EventId(order.Id, OrderEventTypes.OrderConfirmed), OrderEventTypes.OrderConfirmed, order.TenantId, order.Id, Now,
            "0af7651916cd43dd8448eb211c80319c", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    /// <summary>What the email step shows of the order (product names contain markup to escape).</summary>
    public static OrderEmailModel EmailModel(Order order) =>
        new(order.Id, order.ContactEmail, order.Currency, order.Total, [.. order.Lines.Select(l => new OrderEmailLine(l.Name, l.Quantity, l.LineTotal))], Reason: null);

    private static string ProductId(int index) => string.Create(CultureInfo.InvariantCulture, $"sku-{index:D4}");
}
