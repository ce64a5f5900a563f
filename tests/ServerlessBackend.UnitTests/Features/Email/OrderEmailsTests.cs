using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Email;

namespace ServerlessBackend.UnitTests.Features.Email;

public sealed class OrderEmailsTests
{
    private static readonly OrderEmailModel Order = new(
        "o-1", "ann@example.com", "EUR", 25.50m,
        [new OrderEmailLine("Mug <b>bold</b> & \"co\"", 2, 20.00m), new OrderEmailLine("Spoon", 1, 5.50m)],
        Reason: null);

    public static TheoryData<string, string, string> Emails => new()
    {
        { OrderEventTypes.OrderConfirmed, "Your order o-1 is confirmed", "your order is confirmed" },
        { OrderEventTypes.OrderRejected, "We could not accept your order o-1", "could not accept your order" },
        { OrderEventTypes.OrderShipped, "Your order o-1 has shipped", "on its way" },
        { OrderEventTypes.OrderCancelled, "Your order o-1 is cancelled", "has been cancelled" },
    };

    [Theory]
    [MemberData(nameof(Emails))]
    public void Each_customer_facing_event_has_its_subject_and_both_bodies_list_the_lines_and_total(string type, string subject, string headline)
    {
        var email = OrderEmails.Compose(Event(type), Order, "shop@example.com")!;

        Assert.Equal("ann@example.com", email.To);
        Assert.Equal(subject, email.Subject);
        Assert.Equal($"o-1.{type}@example.com", email.MessageId);
        Assert.Contains(headline, email.TextBody, StringComparison.Ordinal);
        Assert.Contains("2 x Mug <b>bold</b> & \"co\"  20.00 EUR", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Total: 25.50 EUR", email.TextBody, StringComparison.Ordinal);
        Assert.Contains(headline, email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<td>1 x Spoon</td><td>5.50 EUR</td>", email.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void User_content_is_html_escaped_in_the_html_part()
    {
        var email = OrderEmails.Compose(Event(OrderEventTypes.OrderRejected), Order with { Reason = "<script>alert(1)</script>" }, "shop@example.com")!;

        Assert.Contains("2 x Mug &lt;b&gt;bold&lt;/b&gt; &amp; &quot;co&quot;", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Reason: &lt;script&gt;alert(1)&lt;/script&gt;", email.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", email.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Reason: <script>alert(1)</script>", email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Order_placed_sends_no_email()
    {
        Assert.Null(OrderEmails.Compose(Event(OrderEventTypes.OrderPlaced), Order, "shop@example.com"));
    }

    [Fact]
    public void The_message_id_keeps_only_safe_characters()
    {
        Assert.Equal("a-b-c.OrderShipped@shop.example", OrderEmails.MessageId("a b<c.OrderShipped", "no-reply@shop.example"));
    }

    private static OrderEvent Event(string type) => new($"o-1.{type}", type, "tenant-a", "o-1", DateTimeOffset.UnixEpoch);
}
