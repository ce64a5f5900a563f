using System.Text.RegularExpressions;
using ServerlessBackend.Functions.Domain.Payments;

namespace ServerlessBackend.Functions.Domain.Orders;

/// <summary>
/// An order as stored (one Cosmos document in the orders container, partition key /tenantId).
/// It is its own transactional outbox: <see cref="Outbox"/> holds the events not yet published,
/// written in the same document write as the status change that caused them. The publisher removes
/// published events (see IOrderStore.MarkPublishedAsync); <see cref="OutboxPendingSince"/> is the
/// indexed scalar the relay queries for orders with events still pending.
/// </summary>
public sealed partial record Order
{
    public required string Id { get; init; }

    public required string TenantId { get; init; }

    public required string CustomerId { get; init; }

    public required string ContactEmail { get; init; }

    public required OrderStatus Status { get; init; }

    public required IReadOnlyList<OrderLine> Lines { get; init; }

    public required string Currency { get; init; }

    public required decimal Total { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required IReadOnlyList<StatusChange> StatusHistory { get; init; }

    /// <summary>The customer's payment method at the provider (a token such as Stripe's pm_...), when the order named one.</summary>
    public string? PaymentMethod { get; init; }

    /// <summary>The payment, once the payment step has created it at the provider.</summary>
    public OrderPayment? Payment { get; init; }

    public IReadOnlyList<OrderEvent> Outbox { get; init; } = [];

    public DateTimeOffset? OutboxPendingSince { get; init; }

    /// <summary>SHA-256 of the create request, to tell an idempotent retry from a key reused with another body.</summary>
    public required string RequestHash { get; init; }

    /// <summary>When the customer's personal data was erased from this order: no email goes out for it after that.</summary>
    public DateTimeOffset? PersonalDataErasedAt { get; init; }

    /// <summary>A new Pending order with its OrderPlaced event in the outbox.</summary>
    public static Order Place(
        string id, string tenantId, string customerId, string contactEmail, IReadOnlyList<OrderLine> lines,
        string currency, string requestHash, DateTimeOffset now, string? correlationId, string? paymentMethod = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0)
        {
            throw new ArgumentException("An order needs at least one line.", nameof(lines));
        }

        return new Order
        {
            Id = id,
            TenantId = tenantId,
            CustomerId = customerId,
            ContactEmail = contactEmail,
            Status = OrderStatus.Pending,
            Lines = lines,
            Currency = currency,
            Total = Money.Normalize(lines.Sum(l => l.LineTotal)),
            CreatedAt = now,
            UpdatedAt = now,
            StatusHistory = [new StatusChange(OrderStatus.Pending, now, Reason: null)],
            Outbox = [NewEvent(id, tenantId, OrderEventTypes.OrderPlaced, now, correlationId)],
            OutboxPendingSince = now,
            RequestHash = requestHash,
            PaymentMethod = paymentMethod,
        };
    }

    /// <summary>Moves to <paramref name="target"/>, appending to the history and recording the event; throws for a forbidden move.</summary>
    public Order TransitionTo(OrderStatus target, DateTimeOffset now, string? reason, string? correlationId)
    {
        var eventType = OrderStateMachine.EventTypeFor(Status, target);
        return this with
        {
            Status = target,
            UpdatedAt = now,
            StatusHistory = [.. StatusHistory, new StatusChange(target, now, reason)],
            Outbox = [.. Outbox, NewEvent(Id, TenantId, eventType, now, correlationId)],
            OutboxPendingSince = OutboxPendingSince ?? now,
        };
    }

    /// <summary>
    /// This order with <paramref name="payment"/> as its payment, recording the payment event its status announces
    /// (if any) once; the caller moves the payment along its own state machine (<see cref="OrderPayment.MoveTo"/>).
    /// </summary>
    public Order WithPayment(OrderPayment payment, DateTimeOffset now, string? correlationId)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var eventType = PaymentStateMachine.EventTypeFor(payment.Status);
        var changed = this with { Payment = payment, UpdatedAt = now };
        return eventType is null || HasRecorded(eventType)
            ? changed
            : changed with
            {
                Outbox = [.. Outbox, NewEvent(Id, TenantId, eventType, now, correlationId)],
                OutboxPendingSince = OutboxPendingSince ?? now,
            };
    }

    /// <summary>
    /// Whether the order's history (or its payment's, for a payment event) holds the change an event of this type
    /// announces: the rule every consumer applies before acting on an event (each status is reached at most once, so a
    /// later change never erases it).
    /// </summary>
    public bool HasRecorded(OrderEvent orderEvent)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        return RefundStateMachine.IsRefundEvent(orderEvent.Type)
            ? orderEvent.RefundId is { } refundId && Refund(refundId)?.HasBeen(RefundStateMachine.StatusAnnouncedBy(orderEvent.Type)) == true
            : HasRecorded(orderEvent.Type);
    }

    /// <summary>As <see cref="HasRecorded(OrderEvent)"/> for an order or payment event type; false for a refund event type, which only an event naming its refund can have recorded.</summary>
    public bool HasRecorded(string eventType)
    {
        if (RefundStateMachine.IsRefundEvent(eventType))
        {
            return false;
        }

        if (PaymentStateMachine.IsPaymentEvent(eventType))
        {
            return Payment?.HasBeen(PaymentStateMachine.StatusAnnouncedBy(eventType)) == true;
        }

        var status = OrderStateMachine.StatusAnnouncedBy(eventType);
        return StatusHistory.Any(h => h.Status == status);
    }

    /// <summary>This order without the given published events; the pending marker clears when nothing is left.</summary>
    public Order WithoutPublished(IReadOnlyCollection<string> publishedEventIds)
    {
        ArgumentNullException.ThrowIfNull(publishedEventIds);
        var remaining = Outbox.Where(e => !publishedEventIds.Contains(e.Id)).ToList();
        return this with
        {
            Outbox = remaining,
            OutboxPendingSince = remaining.Count == 0 ? null : remaining.Min(e => e.OccurredAt),
        };
    }

    /// <summary>
    /// This order with the customer's personal data erased, for bookkeeping: ids, lines, amounts, statuses and dates stay;
    /// the contact email and the payment method go, the payment's client secret goes, the customer id becomes
    /// <paramref name="pseudonym"/> (the customer no longer sees it), and the request hash (of a body that held the
    /// email) is dropped, so a retry of the original create is answered as a reused key.
    /// </summary>
    public Order WithPersonalDataErased(string pseudonym, DateTimeOffset now) => this with
    {
        CustomerId = pseudonym,
        ContactEmail = "",
        PaymentMethod = null,
        Payment = Payment is null ? null : Payment with { ClientSecret = null },
        RequestHash = ErasedRequestHash,
        PersonalDataErasedAt = now,
        UpdatedAt = now,
    };

    /// <summary>The request hash of an erased order: no request hashes to it.</summary>
    public const string ErasedRequestHash = "erased";

    /// <summary>The order as it was when placed: what an idempotent retry of the create returns.</summary>
    public Order AsPlaced() => this with
    {
        Status = OrderStatus.Pending,
        UpdatedAt = CreatedAt,
        StatusHistory = [StatusHistory[0]],
        Payment = null,
        Refunds = [],
    };

    /// <summary>Whether <paramref name="id"/> can be an order id at all (anything else is never looked up).</summary>
    public static bool IsWellFormedId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>Event ids are stable per order and type (each status is reached at most once), so a replay never mints a second id.</summary>
    public static string EventId(string orderId, string eventType) => $"{orderId}.{eventType}";

    /// <summary>The id an event of this order, type and (for a refund event) refund must have.</summary>
    public static string EventId(OrderEvent orderEvent)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        return RefundStateMachine.IsRefundEvent(orderEvent.Type)
            ? RefundEventId(orderEvent.OrderId, orderEvent.RefundId ?? "", orderEvent.Type)
            : EventId(orderEvent.OrderId, orderEvent.Type);
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex IdPattern();

    private static OrderEvent NewEvent(string orderId, string tenantId, string type, DateTimeOffset now, string? correlationId) =>
        new(EventId(orderId, type), type, tenantId, orderId, now, correlationId);
}

public sealed record OrderLine(string ProductId, string Name, int Quantity, decimal UnitPrice, decimal LineTotal)
{
    public static OrderLine Priced(string productId, string name, int quantity, decimal unitPrice) =>
        new(productId, name, quantity, Money.Normalize(unitPrice), Money.Normalize(unitPrice * quantity));
}

/// <summary>One entry of the order's audit trail.</summary>
public sealed record StatusChange(OrderStatus Status, DateTimeOffset At, string? Reason);
