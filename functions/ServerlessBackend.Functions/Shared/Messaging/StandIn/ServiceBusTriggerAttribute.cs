// Stand-in for the official Microsoft.Azure.Functions.Worker.Extensions.ServiceBus attribute.
// Compiled only when UseServiceBusStandIn=true (see the .csproj). Same name, namespace,
// constructors and the properties this app uses, so the Worker SDK writes the same
// `serviceBusTrigger` binding into functions.metadata. It carries no [ExtensionInformation],
// so the host extension is not installed: a stand-in build is for tests, never for deployment.
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

[AttributeUsage(AttributeTargets.Parameter)]
public sealed class ServiceBusTriggerAttribute : TriggerBindingAttribute
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
}
