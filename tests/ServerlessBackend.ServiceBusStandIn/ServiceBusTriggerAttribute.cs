// Stand-in for the official Microsoft.Azure.Functions.Worker.Extensions.ServiceBus trigger attribute, for builds with
// UseServiceBusStandIn=true. Same name, namespace, constructors and the properties this app uses, so the Worker SDK
// writes the same `serviceBusTrigger` binding into functions.metadata: `cardinality` comes from IsBatched's declared
// default, `supportsDeferredBinding` from the input converter's attributes. It carries no [ExtensionInformation], so
// the host extension is not installed: a stand-in build is for tests, never for deployment.
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

[AttributeUsage(AttributeTargets.Parameter)]
[InputConverter(typeof(ServiceBusReceivedMessageStandInConverter))]
public sealed class ServiceBusTriggerAttribute : TriggerBindingAttribute, ISupportCardinality
{
    public ServiceBusTriggerAttribute(string queueName)
    {
        QueueName = queueName;
    }

    public ServiceBusTriggerAttribute(string topicName, string subscriptionName)
    {
        TopicName = topicName;
        SubscriptionName = subscriptionName;
    }

    public string? QueueName { get; }

    public string? TopicName { get; }

    public string? SubscriptionName { get; }

    public string? Connection { get; set; }

    public bool IsSessionsEnabled { get; set; }

    /// <summary>The SDK reads the declared default to write <c>"cardinality": "One"</c>.</summary>
    [DefaultValue(false)]
    public bool IsBatched { get; set; }

    Cardinality ISupportCardinality.Cardinality
    {
        get => IsBatched ? Cardinality.Many : Cardinality.One;
        set => IsBatched = value == Cardinality.Many;
    }
}
