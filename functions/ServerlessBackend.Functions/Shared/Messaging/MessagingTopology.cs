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

    /// <summary>Deliveries before Service Bus dead-letters a message.</summary>
    public const int MaxDeliveryCount = 5;
}
