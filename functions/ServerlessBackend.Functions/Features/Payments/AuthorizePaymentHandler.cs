using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>
/// OrderReserved: creates the payment and records its id on the order first, then authorizes it; the outcome confirms
/// or rejects the order (<see cref="ApplyPaymentOutcomeHandler"/>). Every provider call carries a key derived from the
/// event ("{eventId}:create", ":authorize"), so a redelivery after a crash between a call and the order write gets the
/// same answer and finishes the write; every decision is made again on the order as re-read after a lost race. An
/// order cancelled or rejected meanwhile has its payment voided (<see cref="VoidPaymentHandler"/>).
/// </summary>
public sealed partial class AuthorizePaymentHandler(
    IOrderStore orders, IPaymentProvider provider, OrderTransitions transitions, ApplyPaymentOutcomeHandler outcomes, VoidPaymentHandler voids,
    TimeProvider clock, ILogger<AuthorizePaymentHandler> logger)
{
    public async Task<PaymentOutcome> HandleAsync(OrderEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);

        // A payment this delivery created, until the order records it.
        OrderPayment? created = null;
        var step = await ETagRaces.DecideAsync(
            await orders.GetRecordedForEventAsync(orderEvent, cancellationToken),
            async order =>
            {
                var current = order.Value;
                if (VoidPaymentHandler.HasEnded(current.Status) || current.Status != OrderStatus.AwaitingPayment || current.Payment is not null)
                {
                    return new Step(null, order);
                }

                var check = PaymentLimits.Check(current.Total, current.Currency);
                if (!check.IsPayable)
                {
                    // Placement refuses these; an order placed before the limits applied is rejected without a provider call.
                    await transitions.ApplyAsync(order, OrderStatus.Rejected, PaymentLimits.Describe(check, current.Currency), orderEvent.CorrelationId, cancellationToken);
                    LogRefused(logger, current.TenantId, current.Id, check.Result);
                    return new Step(PaymentOutcome.Declined, order);
                }

                var id = await provider.CreateAsync(Request(current, check.AmountMinor), $"{orderEvent.Id}:create", cancellationToken);
                created = OrderPayment.Created(provider.Name, id, check.AmountMinor, current.Currency, clock.GetUtcNow());
                return new Step(null, await transitions.RecordPaymentAsync(order, created, orderEvent.CorrelationId, cancellationToken));
            },
            _ => orders.GetForEventAsync(orderEvent, cancellationToken));
        if (step.Outcome is { } outcome)
        {
            return outcome;
        }

        var recorded = step.Order;
        if (VoidPaymentHandler.HasEnded(recorded.Value.Status))
        {
            return await voids.VoidEndedAsync(recorded, created, orderEvent.CorrelationId, cancellationToken);
        }

        // Created: authorize (again, with the same key, after a crash). ActionRequired waits for the customer; anything
        // else was decided by another delivery or the provider's later outcome.
        if (recorded.Value.Status != OrderStatus.AwaitingPayment || recorded.Value.Payment is not { Status: PaymentStatus.Created } payment)
        {
            return PaymentOutcome.AlreadyDone;
        }

        provider.EnsureHolds(payment, orderEvent.OrderId);
        var result = await provider.AuthorizeAsync(payment.PaymentId, Request(recorded.Value, payment.AmountMinor), $"{orderEvent.Id}:authorize", cancellationToken);
        if (outcomes.HoldsAnotherAmount(recorded.Value, payment, result))
        {
            throw new InvalidOperationException($"The provider holds another amount than order {recorded.Value.Id}'s payment of {payment.AmountMinor} {payment.Currency}.");
        }

        return await outcomes.RecordAsync(recorded, payment.PaymentId, result, orderEvent.CorrelationId, cancellationToken);
    }

    private static PaymentRequest Request(Order order, long amountMinor) =>
        new(order.TenantId, order.Id, amountMinor, order.Currency, order.PaymentMethod);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {TenantId}/{OrderId} is rejected: its total cannot be paid ({Check})")]
    private static partial void LogRefused(ILogger logger, string tenantId, string orderId, PaymentCheckResult check);

    /// <summary>Where creating the payment left the order: decided (an outcome), or the version to authorize or void.</summary>
    private sealed record Step(PaymentOutcome? Outcome, Versioned<Order> Order);
}
