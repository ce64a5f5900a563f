using ServerlessBackend.Functions.Domain.Orders;

namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>
/// Names of the Service Bus entities and the connection setting, declared once.
/// Binding attributes, the publisher and infra/ all use these values.
/// </summary>
public static class MessagingTopology
{
    /// <summary>Connection name in bindings; app settings use <c>ServiceBus__fullyQualifiedNamespace</c>.</summary>
    public const string Connection = "ServiceBus";

    public const string OrdersTopic = "orders";

    public const string FulfillmentSubscription = "fulfillment";

    public const string EmailSubscription = "email";

    public const string PaymentSubscription = "payment";

    public const string WebhooksSubscription = "webhooks";

    /// <summary>
    /// The Subject of a webhook delivery attempt: the webhooks consumer sends one per endpoint and event to the topic (the
    /// retries scheduled for later), and only the webhooks subscription's filter lets it through.
    /// </summary>
    public const string WebhookAttemptSubject = "WebhookAttempt";

    /// <summary>
    /// The message Subjects (event types) the fulfillment subscription's filter lets through (OrderRejected: stock back
    /// after a declined payment; RefundSucceeded: returned goods back to stock).
    /// </summary>
    public static IReadOnlyList<string> FulfillmentEventTypes { get; } =
        [OrderEventTypes.OrderPlaced, OrderEventTypes.OrderCancelled, OrderEventTypes.OrderShipped, OrderEventTypes.OrderRejected, OrderEventTypes.RefundSucceeded];

    /// <summary>The message Subjects the payment subscription's filter lets through: authorize, capture, void, refund.</summary>
    public static IReadOnlyList<string> PaymentEventTypes { get; } =
        [OrderEventTypes.OrderReserved, OrderEventTypes.OrderShipped, OrderEventTypes.OrderCancelled, OrderEventTypes.RefundRequested];

    /// <summary>The message Subjects the email subscription's filter lets through (the events that send an email).</summary>
    public static IReadOnlyList<string> EmailEventTypes { get; } =
        [OrderEventTypes.OrderConfirmed, OrderEventTypes.OrderRejected, OrderEventTypes.OrderShipped, OrderEventTypes.OrderCancelled, OrderEventTypes.RefundSucceeded, OrderEventTypes.RefundFailed];

    /// <summary>The event types a tenant's webhook endpoint may ask for: every order and payment event.</summary>
    public static IReadOnlyList<string> WebhookEventTypes { get; } = OrderEventTypes.All;

    /// <summary>Events published that no subscription here receives (none since the webhooks consumer takes every event to the tenants' endpoints).</summary>
    public static IReadOnlyList<string> UnsubscribedEventTypes { get; } = [];

    /// <summary>Deliveries before Service Bus dead-letters a message.</summary>
    public const int MaxDeliveryCount = 5;

    /// <summary>
    /// Every subscription on the orders topic: whether it is session-enabled (its trigger must say the
    /// same) and the event types it receives (its SQL filter on the message Subject). infra/ provisions
    /// exactly these; the infra tests fail when the two disagree.
    /// </summary>
    public static IReadOnlyList<SubscriptionSpec> Subscriptions { get; } =
    [
        new(FulfillmentSubscription, RequiresSession: false, FulfillmentEventTypes),
        new(EmailSubscription, RequiresSession: true, EmailEventTypes),

        // No sessions: the payment handler decides from the order document (ETag, histories), never from arrival
        // order, and a slow provider call for one order must not hold a session lock that delays its other events.
        new(PaymentSubscription, RequiresSession: false, PaymentEventTypes),

        // No sessions: each endpoint's attempts are independent messages, and order among them is not promised to tenants.
        new(WebhooksSubscription, RequiresSession: false, [.. WebhookEventTypes, WebhookAttemptSubject]),
    ];
}

/// <summary>A subscription on the orders topic: its name, whether it needs sessions, and the event types (Subjects) it receives.</summary>
public sealed record SubscriptionSpec(string Name, bool RequiresSession, IReadOnlyList<string> EventTypes);
