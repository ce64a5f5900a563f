using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Features.Payments;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Payments;

/// <summary>The payment step over the real Cosmos adapters (Cosmos-protocol server), the local provider (calls recorded) and a mocked ServiceBusSender.</summary>
public sealed class PaymentFunctionTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly Downstream _app = new(cosmos);

    [Fact]
    public async Task A_reserved_order_is_authorized_and_confirmed_in_one_write_and_a_second_delivery_calls_nothing()
    {
        var order = await ReservedAsync(paymentMethod: "pm_card_visa");
        var reserved = Reserved(order);

        Assert.Equal(PaymentOutcome.Authorized, await _app.PaymentFunction.HandleAsync(reserved, CancellationToken.None));
        Assert.Equal(PaymentOutcome.AlreadyDone, await _app.PaymentFunction.HandleAsync(reserved, CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal(OrderStatus.Confirmed, stored.Status);
        Assert.Equal([OrderStatus.Pending, OrderStatus.AwaitingPayment, OrderStatus.Confirmed], stored.StatusHistory.Select(h => h.Status));
        var payment = stored.Payment!;
        Assert.Equal((LocalPaymentProvider.ProviderName, PaymentStatus.Authorized, 500L, "EUR"), (payment.Provider, payment.Status, payment.AmountMinor, payment.Currency));
        Assert.Equal([PaymentStatus.Created, PaymentStatus.Authorized], payment.History.Select(h => h.Status));
        Assert.StartsWith("lpay_", payment.PaymentId, StringComparison.Ordinal);
        Assert.Equal([$"Create {reserved.Id}:create", $"Authorize {reserved.Id}:authorize"], _app.PaymentProvider.Calls);
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.OrderConfirmed);
        Assert.Empty(stored.Outbox);
    }

    [Fact]
    public async Task A_hold_of_another_amount_than_the_total_confirms_nothing_and_the_redelivery_decides_again()
    {
        var order = await ReservedAsync(paymentMethod: null);
        _app.PaymentProvider.AlterNextAuthorization = r => r with { Held = new PaymentHold(r.Held!.AmountMinor - 1, r.Held.Currency) };

        await Assert.ThrowsAsync<InvalidOperationException>(() => _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None));
        var held = await _app.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.AwaitingPayment, PaymentStatus.Created), (held.Status, held.Payment!.Status));
        Assert.DoesNotContain(_app.Bus.Sent, m => m.Subject == OrderEventTypes.OrderConfirmed);

        Assert.Equal(PaymentOutcome.Authorized, await _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None));
        Assert.Equal(OrderStatus.Confirmed, (await _app.OrderAsync(order.Id)).Status);
    }

    [Fact]
    public async Task A_declined_payment_rejects_the_order_with_the_decline_code_once()
    {
        var order = await ReservedAsync(paymentMethod: "pm_card_chargeDeclinedInsufficientFunds");

        Assert.Equal(PaymentOutcome.Declined, await _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None));
        Assert.Equal(PaymentOutcome.AlreadyDone, await _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal(OrderStatus.Rejected, stored.Status);
        Assert.Equal("The payment was declined (insufficient_funds).", stored.StatusHistory[^1].Reason);
        Assert.Equal((PaymentStatus.Declined, "insufficient_funds"), (stored.Payment!.Status, stored.Payment.FailureCode));
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.OrderRejected);
        Assert.Single(_app.PaymentProvider.KeysOf("Authorize"));
    }

    [Fact]
    public async Task An_authentication_required_payment_waits_with_a_client_secret_and_announces_it_once()
    {
        var order = await ReservedAsync(paymentMethod: LocalPaymentProvider.AuthenticationRequired);

        Assert.Equal(PaymentOutcome.ActionRequired, await _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None));
        Assert.Equal(PaymentOutcome.AlreadyDone, await _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal(OrderStatus.AwaitingPayment, stored.Status);
        Assert.Equal(PaymentStatus.ActionRequired, stored.Payment!.Status);
        Assert.Equal($"{stored.Payment.PaymentId}_secret_local", stored.Payment.ClientSecret);
        Assert.True(stored.HasRecorded(OrderEventTypes.PaymentActionRequired));
        var announced = Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.PaymentActionRequired);
        Assert.Equal($"{order.Id}.PaymentActionRequired", announced.MessageId);
    }

    [Fact]
    public async Task The_providers_later_outcome_confirms_the_order_once_and_nothing_foreign_is_written()
    {
        var order = await ReservedAsync(paymentMethod: LocalPaymentProvider.AuthenticationRequired);
        await _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None);
        var paymentId = (await _app.OrderAsync(order.Id)).Payment!.PaymentId;
        var before = (await _app.Orders.GetAsync(_app.Tenant, order.Id, CancellationToken.None))!.ETag;
        var authorized = new AuthorizationResult(AuthorizationStatus.Authorized);

        Assert.Equal(PaymentUpdate.Mismatch, await _app.PaymentOutcomes.HandleAsync(_app.Tenant, order.Id, "lpay_other", authorized, CancellationToken.None));
        Assert.Equal(PaymentUpdate.UnknownOrder, await _app.PaymentOutcomes.HandleAsync("another-tenant", order.Id, paymentId, authorized, CancellationToken.None));
        Assert.Equal(PaymentUpdate.UnknownOrder, await _app.PaymentOutcomes.HandleAsync(_app.Tenant, "no/such order", paymentId, authorized, CancellationToken.None));
        Assert.Equal(before, (await _app.Orders.GetAsync(_app.Tenant, order.Id, CancellationToken.None))!.ETag);

        Assert.Equal(PaymentUpdate.Applied, await _app.PaymentOutcomes.HandleAsync(_app.Tenant, order.Id, paymentId, authorized, CancellationToken.None));
        Assert.Equal(PaymentUpdate.AlreadyApplied, await _app.PaymentOutcomes.HandleAsync(_app.Tenant, order.Id, paymentId, authorized, CancellationToken.None));
        Assert.Equal(PaymentUpdate.Superseded, await _app.PaymentOutcomes.HandleAsync(_app.Tenant, order.Id, paymentId, new AuthorizationResult(AuthorizationStatus.Declined, DeclineCode: "generic_decline"), CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Confirmed, PaymentStatus.Authorized), (stored.Status, stored.Payment!.Status));
        Assert.Null(stored.Payment.ClientSecret);
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.OrderConfirmed);
    }

    [Fact]
    public async Task An_authorization_arriving_for_an_order_cancelled_meanwhile_is_voided()
    {
        var order = await ReservedAsync(paymentMethod: LocalPaymentProvider.AuthenticationRequired);
        await _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None);
        var paymentId = (await _app.OrderAsync(order.Id)).Payment!.PaymentId;
        await _app.AdvancedAsync(order, OrderEventTypes.OrderCancelled);

        Assert.Equal(PaymentUpdate.Applied, await _app.PaymentOutcomes.HandleAsync(_app.Tenant, order.Id, paymentId, new AuthorizationResult(AuthorizationStatus.Authorized), CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Cancelled, PaymentStatus.Voided), (stored.Status, stored.Payment!.Status));
        Assert.Equal([$"{order.Id}.OrderCancelled:void"], _app.PaymentProvider.KeysOf("Void"));
    }

    [Fact]
    public async Task Shipping_captures_the_authorized_amount_once()
    {
        var order = await ConfirmedAsync();
        await _app.AdvancedAsync(order, OrderEventTypes.OrderShipped);
        var shipped = Downstream.Event(order, OrderEventTypes.OrderShipped);

        Assert.Equal(PaymentOutcome.Captured, await _app.PaymentFunction.HandleAsync(shipped, CancellationToken.None));
        Assert.Equal(PaymentOutcome.AlreadyDone, await _app.PaymentFunction.HandleAsync(shipped, CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal(PaymentStatus.Captured, stored.Payment!.Status);
        Assert.Equal([$"{shipped.Id}:capture"], _app.PaymentProvider.KeysOf("Capture"));
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.PaymentCaptured);
    }

    [Fact]
    public async Task A_refused_capture_is_recorded_with_its_code_and_not_retried()
    {
        var order = await ConfirmedAsync();
        await _app.AdvancedAsync(order, OrderEventTypes.OrderShipped);
        _app.PaymentProvider.CaptureResult = new PaymentCallResult(Succeeded: false, FailureCode: "charge_expired_for_capture");
        var shipped = Downstream.Event(order, OrderEventTypes.OrderShipped);

        Assert.Equal(PaymentOutcome.CaptureFailed, await _app.PaymentFunction.HandleAsync(shipped, CancellationToken.None));
        Assert.Equal(PaymentOutcome.AlreadyDone, await _app.PaymentFunction.HandleAsync(shipped, CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal((PaymentStatus.CaptureFailed, "charge_expired_for_capture"), (stored.Payment!.Status, stored.Payment.FailureCode));
        Assert.Single(_app.PaymentProvider.KeysOf("Capture"));
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.PaymentCaptureFailed);

        // Shipped with nothing taken: countable (and alertable) by operators, once, not only a log line.
        Assert.Equal(1, _app.Metrics.Sum("payments.status_changes", ("tenant.id", _app.Tenant), ("payment.status", "captureFailed")));
        Assert.Equal(0, _app.Metrics.Sum("payments.status_changes", ("payment.status", "captured")));
    }

    [Fact]
    public async Task Cancelling_a_confirmed_order_voids_its_authorization_once()
    {
        var order = await ConfirmedAsync();
        await _app.AdvancedAsync(order, OrderEventTypes.OrderCancelled);
        var cancelled = Downstream.Event(order, OrderEventTypes.OrderCancelled);

        Assert.Equal(PaymentOutcome.Voided, await _app.PaymentFunction.HandleAsync(cancelled, CancellationToken.None));
        Assert.Equal(PaymentOutcome.AlreadyDone, await _app.PaymentFunction.HandleAsync(cancelled, CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal([PaymentStatus.Created, PaymentStatus.Authorized, PaymentStatus.Voided], stored.Payment!.History.Select(h => h.Status));
        Assert.Equal([$"{cancelled.Id}:void"], _app.PaymentProvider.KeysOf("Void"));
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.PaymentVoided);
    }

    [Fact]
    public async Task Cancelling_an_order_before_its_payment_was_created_voids_nothing()
    {
        var order = await ReservedAsync(paymentMethod: null);
        await _app.AdvancedAsync(order, OrderEventTypes.OrderCancelled);

        Assert.Equal(PaymentOutcome.NoPayment, await _app.PaymentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderCancelled), CancellationToken.None));
        Assert.Equal(PaymentOutcome.NoPayment, await _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None));

        Assert.Null((await _app.OrderAsync(order.Id)).Payment);
        Assert.Empty(_app.PaymentProvider.Calls);
    }

    [Theory]
    [InlineData("Create")]
    [InlineData("Authorize")]
    public async Task A_crash_right_after_a_provider_call_is_finished_by_the_redelivery_with_the_same_keys(string crashAfter)
    {
        var order = await ReservedAsync(paymentMethod: null);
        var reserved = Reserved(order);
        _app.PaymentProvider.CrashAfterNext = crashAfter;

        await Assert.ThrowsAsync<IOException>(() => _app.PaymentFunction.HandleAsync(reserved, CancellationToken.None));
        Assert.Equal(PaymentOutcome.Authorized, await _app.PaymentFunction.HandleAsync(reserved, CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Confirmed, PaymentStatus.Authorized), (stored.Status, stored.Payment!.Status));
        Assert.All(_app.PaymentProvider.KeysOf(crashAfter), k => Assert.Equal($"{reserved.Id}:{crashAfter.ToLowerInvariant()}", k));
        Assert.Equal(2, _app.PaymentProvider.KeysOf(crashAfter).Count);
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.OrderConfirmed);
    }

    [Theory]
    [InlineData(1, "Create")]
    [InlineData(2, "Authorize")]
    public async Task A_failed_order_write_after_a_provider_call_is_finished_by_the_redelivery(int failedWrite, string repeated)
    {
        var order = await ReservedAsync(paymentMethod: null);
        var reserved = Reserved(order);
        if (failedWrite == 2)
        {
            // The first write (the created payment) goes through; the second (authorized + confirmed) fails.
            _app.PaymentProvider.AfterNextAuthorize = () => { _app.Orders.FailReplaces = 1; return Task.CompletedTask; };
        }
        else
        {
            _app.Orders.FailReplaces = 1;
        }

        await Assert.ThrowsAsync<IOException>(() => _app.PaymentFunction.HandleAsync(reserved, CancellationToken.None));
        Assert.Equal(PaymentOutcome.Authorized, await _app.PaymentFunction.HandleAsync(reserved, CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Confirmed, PaymentStatus.Authorized), (stored.Status, stored.Payment!.Status));
        Assert.Equal([$"{reserved.Id}:{repeated.ToLowerInvariant()}", $"{reserved.Id}:{repeated.ToLowerInvariant()}"], _app.PaymentProvider.KeysOf(repeated));
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.OrderConfirmed);
    }

    [Theory]
    [InlineData(OrderEventTypes.OrderShipped, "Capture", PaymentStatus.Captured)]
    [InlineData(OrderEventTypes.OrderCancelled, "Void", PaymentStatus.Voided)]
    public async Task A_crash_after_a_capture_or_void_went_through_is_finished_by_the_redelivery(string eventType, string call, PaymentStatus expected)
    {
        var order = await ConfirmedAsync();
        await _app.AdvancedAsync(order, eventType);
        var delivered = Downstream.Event(order, eventType);
        _app.PaymentProvider.CrashAfterNext = call;

        await Assert.ThrowsAsync<IOException>(() => _app.PaymentFunction.HandleAsync(delivered, CancellationToken.None));
        await _app.PaymentFunction.HandleAsync(delivered, CancellationToken.None);

        Assert.Equal(expected, (await _app.OrderAsync(order.Id)).Payment!.Status);
        Assert.Equal([$"{delivered.Id}:{call.ToLowerInvariant()}", $"{delivered.Id}:{call.ToLowerInvariant()}"], _app.PaymentProvider.KeysOf(call));
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_reservation_confirm_the_order_once()
    {
        var order = await ReservedAsync(paymentMethod: null);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None))));

        Assert.Single(outcomes, o => o == PaymentOutcome.Authorized);
        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal([PaymentStatus.Created, PaymentStatus.Authorized], stored.Payment!.History.Select(h => h.Status));
        Assert.Single(_app.Bus.Sent, m => m.Subject == OrderEventTypes.OrderConfirmed);
        Assert.Single(_app.PaymentProvider.KeysOf("Create").Distinct());
    }

    [Fact]
    public async Task A_cancellation_while_the_authorization_is_in_flight_voids_the_payment()
    {
        var order = await ReservedAsync(paymentMethod: null);
        _app.PaymentProvider.AfterNextAuthorize = () => _app.AdvancedAsync(order, OrderEventTypes.OrderCancelled);

        Assert.Equal(PaymentOutcome.Voided, await _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Cancelled, PaymentStatus.Voided), (stored.Status, stored.Payment!.Status));
        Assert.Equal([$"{order.Id}.OrderCancelled:void"], _app.PaymentProvider.KeysOf("Void"));
        Assert.DoesNotContain(_app.Bus.Sent, m => m.Subject == OrderEventTypes.OrderConfirmed);

        // The OrderCancelled delivery finds the payment voided already.
        Assert.Equal(PaymentOutcome.AlreadyDone, await _app.PaymentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderCancelled), CancellationToken.None));
        Assert.Single(_app.PaymentProvider.KeysOf("Void"));
    }

    [Fact]
    public async Task An_order_whose_total_the_provider_would_refuse_is_rejected_without_a_provider_call()
    {
        await _app.StockedAsync("SKU-A", 5);
        var order = await _app.PlacedAsync(("SKU-A", 1));
        var cheap = order with { Lines = [OrderLine.Priced("SKU-A", "Product SKU-A", 1, 0.10m)], Total = 0.10m };
        var current = (await _app.Orders.GetAsync(_app.Tenant, order.Id, CancellationToken.None))!;
        await _app.Orders.ReplaceAsync(cheap, current.ETag, CancellationToken.None);
        await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);

        Assert.Equal(PaymentOutcome.Declined, await _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None));

        var stored = await _app.OrderAsync(order.Id);
        Assert.Equal(OrderStatus.Rejected, stored.Status);
        Assert.Equal("The total is below the minimum payment of 0.50 EUR.", stored.StatusHistory[^1].Reason);
        Assert.Empty(_app.PaymentProvider.Calls);
    }

    [Fact]
    public async Task Events_for_unknown_orders_or_not_recorded_changes_are_poison()
    {
        var order = await ConfirmedAsync();

        await Assert.ThrowsAsync<PoisonMessageException>(() => _app.PaymentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderShipped), CancellationToken.None));
        await Assert.ThrowsAsync<PoisonMessageException>(() => _app.PaymentFunction.HandleAsync(Downstream.Event(order with { Id = "o-missing" }, OrderEventTypes.OrderReserved), CancellationToken.None));
        Assert.Equal(PaymentOutcome.NotForPayments, await _app.PaymentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None));
    }

    /// <summary>A placed order whose stock fulfillment reserved: AwaitingPayment, OrderReserved published.</summary>
    private async Task<Order> ReservedAsync(string? paymentMethod)
    {
        var sku = $"SKU-{Guid.NewGuid():N}"[..12];
        await _app.StockedAsync(sku, 5);
        var order = await _app.PlacedWithAsync($"{Guid.NewGuid():N}@example.test", paymentMethod, (sku, 2));
        await _app.FulfillmentFunction.HandleAsync(Downstream.Event(order, OrderEventTypes.OrderPlaced), CancellationToken.None);
        Assert.Equal(OrderStatus.AwaitingPayment, (await _app.OrderAsync(order.Id)).Status);
        return order;
    }

    private async Task<Order> ConfirmedAsync()
    {
        var order = await ReservedAsync(paymentMethod: null);
        Assert.Equal(PaymentOutcome.Authorized, await _app.PaymentFunction.HandleAsync(Reserved(order), CancellationToken.None));
        return order;
    }

    private static OrderEvent Reserved(Order order) => Downstream.Event(order, OrderEventTypes.OrderReserved);
}
