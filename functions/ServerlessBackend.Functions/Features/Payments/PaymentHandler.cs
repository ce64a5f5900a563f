using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>
/// The payment step. OrderReserved: create the payment (its id recorded on the order first), then authorize it and
/// confirm or reject the order in the same write as the payment's outcome. OrderShipped: capture. OrderCancelled (and
/// any delivery that finds the order cancelled or rejected): void. Every provider call carries a key derived from the
/// event ("{eventId}:create", ":authorize", ":capture", ":void"), so a redelivery after a crash between a call and the
/// order write gets the same answer and finishes the write; every decision is made again on the order as re-read after
/// a lost ETag race, so duplicate, concurrent, stale and out-of-order deliveries have one effect.
/// </summary>
public sealed partial class PaymentHandler(
    IOrderStore orders, IPaymentProvider provider, OrderTransitions transitions, TimeProvider clock, ILogger<PaymentHandler> logger)
{
    // The order's ETag also changes when the publisher marks events published: re-read and decide again.
    private const int WriteAttempts = 5;

    public Task<PaymentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        return orderEvent.Type switch
        {
            OrderEventTypes.OrderReserved => AuthorizeAsync(orderEvent, cancellationToken),
            OrderEventTypes.OrderShipped => CaptureAsync(orderEvent, cancellationToken),
            OrderEventTypes.OrderCancelled => VoidCancelledAsync(orderEvent, cancellationToken),
            _ => Task.FromResult(PaymentOutcome.NotForPayments),
        };
    }

    /// <summary>
    /// Applies an outcome the provider reports later (the Stripe webhook: 3-D Secure completed or failed). Nothing is
    /// written unless the order exists in the tenant and its payment is this provider's <paramref name="paymentId"/>.
    /// An authorization for an order cancelled or rejected meanwhile, or for a payment declined before, is voided.
    /// </summary>
    public async Task<PaymentUpdate> ApplyProviderOutcomeAsync(
        string tenantId, string orderId, string paymentId, AuthorizationResult outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (string.IsNullOrWhiteSpace(tenantId) || !Order.IsWellFormedId(orderId))
        {
            return PaymentUpdate.UnknownOrder;
        }

        var order = await orders.GetAsync(tenantId, orderId, cancellationToken);
        if (order is null)
        {
            return PaymentUpdate.UnknownOrder;
        }

        if (order.Value.Payment is not { } payment || payment.PaymentId != paymentId || payment.Provider != provider.Name)
        {
            return PaymentUpdate.Mismatch;
        }

        if (payment.Status == StatusOf(outcome.Status))
        {
            return PaymentUpdate.AlreadyApplied;
        }

        if (HoldsAnotherAmount(payment, outcome))
        {
            // Never confirm an order on a hold that is not its total (the intent was changed at the provider).
            LogOtherAmount(logger, order.Value.TenantId, order.Value.Id);
            return PaymentUpdate.Mismatch;
        }

        if (outcome.Status == AuthorizationStatus.Authorized && payment.Status == PaymentStatus.Declined)
        {
            // Declined is final here, but not always at the provider: a Stripe intent declined once can still be
            // authorized from the browser with the client secret. The order was rejected, so the hold is voided
            // (with the key every path uses to void this order's payment), and nothing is written.
            var voided = await provider.VoidAsync(payment.PaymentId, $"{Order.EventId(order.Value.Id, OrderEventTypes.OrderRejected)}:void", cancellationToken);
            if (!voided.Succeeded)
            {
                LogVoidRefused(logger, order.Value.TenantId, order.Value.Id, SafeCode(voided.FailureCode));
            }

            return PaymentUpdate.Superseded;
        }

        var applied = await ApplyAuthorizationAsync(order, payment.PaymentId, outcome, Activity.Current?.TraceId.ToString(), cancellationToken);
        return applied switch
        {
            PaymentOutcome.AlreadyDone => PaymentUpdate.Superseded,
            _ => PaymentUpdate.Applied,
        };
    }

    private async Task<PaymentOutcome> AuthorizeAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = await orders.GetRecordedForEventAsync(orderEvent, cancellationToken);
        OrderPayment? unrecorded = null;
        for (var attempt = 1; ; attempt++)
        {
            var current = order.Value;
            if (IsOver(current.Status))
            {
                return await VoidEndedAsync(order, unrecorded, orderEvent.CorrelationId, cancellationToken);
            }

            if (current.Status != OrderStatus.AwaitingPayment)
            {
                return PaymentOutcome.AlreadyDone;
            }

            if (current.Payment is { } payment)
            {
                // Created: authorize (again, with the same key, after a crash). ActionRequired waits for the customer;
                // anything else was decided by another delivery or the provider's later outcome.
                if (payment.Status != PaymentStatus.Created)
                {
                    return PaymentOutcome.AlreadyDone;
                }

                EnsureOurs(payment, orderEvent);
                var result = await provider.AuthorizeAsync(payment.PaymentId, Request(current, payment.AmountMinor), $"{orderEvent.Id}:authorize", cancellationToken);
                if (HoldsAnotherAmount(payment, result))
                {
                    LogOtherAmount(logger, current.TenantId, current.Id);
                    throw new InvalidOperationException($"The provider holds another amount than order {current.Id}'s payment of {payment.AmountMinor} {payment.Currency}.");
                }

                return await ApplyAuthorizationAsync(order, payment.PaymentId, result, orderEvent.CorrelationId, cancellationToken);
            }

            var check = PaymentLimits.Check(current.Total, current.Currency);
            try
            {
                if (!check.IsPayable)
                {
                    // Placement refuses these; an order placed before the limits applied is rejected without a provider call.
                    await transitions.ApplyAsync(order, OrderStatus.Rejected, PaymentLimits.Describe(check, current.Currency), orderEvent.CorrelationId, cancellationToken);
                    LogRefused(logger, current.TenantId, current.Id, check.Result);
                    return PaymentOutcome.Declined;
                }

                var id = await provider.CreateAsync(Request(current, check.AmountMinor), $"{orderEvent.Id}:create", cancellationToken);
                unrecorded = OrderPayment.Created(provider.Name, id, check.AmountMinor, current.Currency, clock.GetUtcNow());
                order = await transitions.RecordPaymentAsync(order, unrecorded, orderEvent.CorrelationId, cancellationToken);
            }
            catch (DocumentPreconditionFailedException) when (attempt < WriteAttempts)
            {
                order = await orders.GetForEventAsync(orderEvent, cancellationToken);
            }
        }
    }

    /// <summary>Records an authorization's outcome on the order, re-reading and deciding again after a lost race.</summary>
    private async Task<PaymentOutcome> ApplyAuthorizationAsync(
        Versioned<Order> order, string paymentId, AuthorizationResult result, string? correlationId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = order.Value;
            if (IsOver(current.Status))
            {
                return await VoidEndedAsync(order, unrecorded: null, correlationId, cancellationToken);
            }

            var payment = current.Payment;
            if (current.Status != OrderStatus.AwaitingPayment || payment is null || payment.PaymentId != paymentId
                || payment.Status is not (PaymentStatus.Created or PaymentStatus.ActionRequired)
                || (payment.Status == PaymentStatus.ActionRequired && result.Status == AuthorizationStatus.ActionRequired))
            {
                return PaymentOutcome.AlreadyDone;
            }

            var now = clock.GetUtcNow();
            try
            {
                switch (result.Status)
                {
                    case AuthorizationStatus.Authorized:
                        await transitions.ApplyAsync(order, OrderStatus.Confirmed, reason: null, correlationId, payment.MoveTo(PaymentStatus.Authorized, now), cancellationToken);
                        LogDecided(logger, current.TenantId, current.Id, OrderStatus.Confirmed, "authorized");
                        return PaymentOutcome.Authorized;
                    case AuthorizationStatus.Declined:
                        var code = SafeCode(result.DeclineCode);
                        await transitions.ApplyAsync(order, OrderStatus.Rejected, $"The payment was declined ({code}).", correlationId, payment.MoveTo(PaymentStatus.Declined, now, code), cancellationToken);
                        LogDecided(logger, current.TenantId, current.Id, OrderStatus.Rejected, code);
                        return PaymentOutcome.Declined;
                    default:
                        await transitions.RecordPaymentAsync(order, payment.MoveTo(PaymentStatus.ActionRequired, now, clientSecret: result.ClientSecret), correlationId, cancellationToken);
                        LogActionRequired(logger, current.TenantId, current.Id);
                        return PaymentOutcome.ActionRequired;
                }
            }
            catch (DocumentPreconditionFailedException) when (attempt < WriteAttempts)
            {
                order = await ReloadAsync(current, cancellationToken);
            }
        }
    }

    private async Task<PaymentOutcome> CaptureAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        var order = await orders.GetRecordedForEventAsync(orderEvent, cancellationToken);
        var payment = order.Value.Payment;
        if (payment is null)
        {
            // Confirmed before payments existed: nothing to capture.
            return PaymentOutcome.NoPayment;
        }

        if (payment.Status is PaymentStatus.Captured or PaymentStatus.CaptureFailed)
        {
            return PaymentOutcome.AlreadyDone;
        }

        if (payment.Status != PaymentStatus.Authorized)
        {
            throw new PoisonMessageException(orderEvent.Id, $"order {order.Value.Id} shipped with a payment that is {payment.Status}, not authorized");
        }

        EnsureOurs(payment, orderEvent);
        var result = await provider.CaptureAsync(payment.PaymentId, payment.AmountMinor, $"{orderEvent.Id}:capture", cancellationToken);
        var target = result.Succeeded ? PaymentStatus.Captured : PaymentStatus.CaptureFailed;
        var code = result.Succeeded ? null : SafeCode(result.FailureCode);
        await RecordAsync(order, p => p?.Status == PaymentStatus.Authorized ? p.MoveTo(target, clock.GetUtcNow(), code) : null, orderEvent.CorrelationId, cancellationToken);
        if (!result.Succeeded)
        {
            LogCaptureFailed(logger, order.Value.TenantId, order.Value.Id, code!);
        }

        return result.Succeeded ? PaymentOutcome.Captured : PaymentOutcome.CaptureFailed;
    }

    private async Task<PaymentOutcome> VoidCancelledAsync(OrderEvent orderEvent, CancellationToken cancellationToken) =>
        await VoidEndedAsync(await orders.GetRecordedForEventAsync(orderEvent, cancellationToken), unrecorded: null, orderEvent.CorrelationId, cancellationToken);

    /// <summary>
    /// A cancelled or rejected order keeps no money: its payment, unless final, is voided with a key derived from the
    /// event that ended the order (so every path that voids one order's payment sends the same request).
    /// <paramref name="unrecorded"/> is a payment this delivery created but could not record before the order ended.
    /// </summary>
    private async Task<PaymentOutcome> VoidEndedAsync(Versioned<Order> order, OrderPayment? unrecorded, string? correlationId, CancellationToken cancellationToken)
    {
        if ((order.Value.Payment ?? unrecorded) is not { } payment)
        {
            return PaymentOutcome.NoPayment;
        }

        if (PaymentStateMachine.IsFinal(payment.Status))
        {
            return PaymentOutcome.AlreadyDone;
        }

        var ended = order.Value.Status == OrderStatus.Cancelled ? OrderEventTypes.OrderCancelled : OrderEventTypes.OrderRejected;
        var result = await provider.VoidAsync(payment.PaymentId, $"{Order.EventId(order.Value.Id, ended)}:void", cancellationToken);
        if (!result.Succeeded)
        {
            LogVoidRefused(logger, order.Value.TenantId, order.Value.Id, SafeCode(result.FailureCode));
            return PaymentOutcome.VoidRefused;
        }

        var voidedAt = clock.GetUtcNow();
        await RecordAsync(
            order,
            p => (p ?? unrecorded) is { } open && open.PaymentId == payment.PaymentId && !PaymentStateMachine.IsFinal(open.Status)
                ? open.MoveTo(PaymentStatus.Voided, voidedAt)
                : null,
            correlationId,
            cancellationToken);
        return PaymentOutcome.Voided;
    }

    /// <summary>A payment-only change, decided again on the re-read order after a lost race; <paramref name="next"/> returns null when nothing is left to do.</summary>
    private async Task RecordAsync(Versioned<Order> order, Func<OrderPayment?, OrderPayment?> next, string? correlationId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (next(order.Value.Payment) is not { } payment)
            {
                return;
            }

            try
            {
                await transitions.RecordPaymentAsync(order, payment, correlationId, cancellationToken);
                return;
            }
            catch (DocumentPreconditionFailedException) when (attempt < WriteAttempts)
            {
                order = await ReloadAsync(order.Value, cancellationToken);
            }
        }
    }

    private void EnsureOurs(OrderPayment payment, OrderEvent orderEvent)
    {
        if (payment.Provider != provider.Name)
        {
            // The provider setting changed while this payment was open: it cannot be handled here (retried, then dead-lettered).
            throw new InvalidOperationException($"Order {orderEvent.OrderId}'s payment is held by {payment.Provider}, not by the configured {provider.Name}.");
        }
    }

    private async Task<Versioned<Order>> ReloadAsync(Order order, CancellationToken cancellationToken) =>
        await orders.GetAsync(order.TenantId, order.Id, cancellationToken)
            ?? throw new InvalidOperationException($"Order {order.TenantId}/{order.Id} disappeared while its payment was being recorded.");

    private static bool HoldsAnotherAmount(OrderPayment payment, AuthorizationResult result) =>
        result is { Status: AuthorizationStatus.Authorized, Held: { } held }
            && (held.AmountMinor != payment.AmountMinor || !string.Equals(held.Currency, payment.Currency, StringComparison.Ordinal));

    private static bool IsOver(OrderStatus status) => status is OrderStatus.Cancelled or OrderStatus.Rejected;

    private static PaymentRequest Request(Order order, long amountMinor) =>
        new(order.TenantId, order.Id, amountMinor, order.Currency, order.PaymentMethod);

    private static PaymentStatus StatusOf(AuthorizationStatus status) => status switch
    {
        AuthorizationStatus.Authorized => PaymentStatus.Authorized,
        AuthorizationStatus.Declined => PaymentStatus.Declined,
        _ => PaymentStatus.ActionRequired,
    };

    /// <summary>A provider's code as recorded and shown: its own short code, or a generic one for anything else (never free text).</summary>
    private static string SafeCode(string? code) =>
        code is { Length: > 0 and <= 64 } && code.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') ? code : "declined";

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {TenantId}/{OrderId} is {Status} by its payment ({Code})")]
    private static partial void LogDecided(ILogger logger, string tenantId, string orderId, OrderStatus status, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {TenantId}/{OrderId} is rejected: its total cannot be paid ({Check})")]
    private static partial void LogRefused(ILogger logger, string tenantId, string orderId, PaymentCheckResult check);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {TenantId}/{OrderId} awaits the customer's action on its payment")]
    private static partial void LogActionRequired(ILogger logger, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The capture for order {TenantId}/{OrderId} was refused ({Code}); recorded, not retried")]
    private static partial void LogCaptureFailed(ILogger logger, string tenantId, string orderId, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The provider holds another amount than the payment of order {TenantId}/{OrderId}; the order is not confirmed")]
    private static partial void LogOtherAmount(ILogger logger, string tenantId, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The void for order {TenantId}/{OrderId} was refused ({Code})")]
    private static partial void LogVoidRefused(ILogger logger, string tenantId, string orderId, string code);
}

public enum PaymentOutcome
{
    Authorized,
    Declined,
    ActionRequired,
    Captured,
    CaptureFailed,
    Voided,
    VoidRefused,

    /// <summary>The order has no payment to act on.</summary>
    NoPayment,

    /// <summary>Decided before this delivery got to it (a duplicate, stale or concurrent delivery).</summary>
    AlreadyDone,
    NotForPayments,
}

/// <summary>What <see cref="PaymentHandler.ApplyProviderOutcomeAsync"/> did with a provider's later outcome.</summary>
public enum PaymentUpdate
{
    /// <summary>Recorded (and for an ended order, voided).</summary>
    Applied,

    /// <summary>The payment already has this outcome.</summary>
    AlreadyApplied,

    /// <summary>The payment was decided otherwise before this outcome arrived (nothing written).</summary>
    Superseded,

    /// <summary>No such order in the tenant (nothing written).</summary>
    UnknownOrder,

    /// <summary>The order exists but its payment is not this payment of this provider (nothing written).</summary>
    Mismatch,
}
