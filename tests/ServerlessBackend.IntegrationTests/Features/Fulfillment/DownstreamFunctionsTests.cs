using Azure.Messaging.ServiceBus;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Fulfillment;

/// <summary>The Service Bus-triggered functions as the host calls them: a received message in, an exception out on failure.</summary>
[Collection(DownstreamCollection.Name)]
public sealed class DownstreamFunctionsTests(CosmosServerFixture cosmos, SmtpServerFixture smtp)
{
    private readonly Downstream _app = new(cosmos, smtp);

    [Fact]
    public async Task Fulfillment_handles_a_published_OrderPlaced_message()
    {
        await _app.StockedAsync("SKU-A", 3);
        var order = await _app.PlacedAsync(("SKU-A", 3));
        await _app.Outbox.RelayAsync(order.TenantId, order.Id, CancellationToken.None);

        await _app.FulfillmentFunction.Run(Assert.Single(_app.Bus.Received(order.Id, OrderEventTypes.OrderPlaced)), CancellationToken.None);

        Assert.Equal(OrderStatus.AwaitingPayment, (await _app.OrderAsync(order.Id)).Status);
        Assert.Equal(0, await _app.AvailableAsync("SKU-A"));

        await _app.PaymentFunction.Run(Assert.Single(_app.Bus.Received(order.Id, OrderEventTypes.OrderReserved)), CancellationToken.None);

        Assert.Equal(OrderStatus.Confirmed, (await _app.OrderAsync(order.Id)).Status);
    }

    [Fact]
    public async Task A_malformed_message_fails_both_functions_so_Service_Bus_retries_and_dead_letters_it()
    {
        var garbage = ServiceBusModelFactory.ServiceBusReceivedMessage(
            BinaryData.FromString("{\"id\":"), messageId: "m-1", subject: OrderEventTypes.OrderPlaced, contentType: "application/json", deliveryCount: 5);

        await Assert.ThrowsAsync<PoisonMessageException>(() => _app.FulfillmentFunction.Run(garbage, CancellationToken.None));
        await Assert.ThrowsAsync<PoisonMessageException>(() => _app.EmailFunction.Run(garbage, CancellationToken.None));
    }

    [Fact]
    public async Task Email_handles_a_published_OrderConfirmed_message()
    {
        await _app.StockedAsync("SKU-A", 3);
        var order = await _app.PlacedAsync(("SKU-A", 1));
        await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);
        await _app.PaymentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderReserved), CancellationToken.None);

        await _app.EmailFunction.Run(Assert.Single(_app.Bus.Received(order.Id, OrderEventTypes.OrderConfirmed)), CancellationToken.None);

        var mails = await smtp.WaitForMessagesAsync(1);
        Assert.Single(mails, m => m.To.Any(t => t.Address == order.ContactEmail) && m.Subject == $"Your order {order.Id} is confirmed");
    }
}
