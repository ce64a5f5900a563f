using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>
/// What infra/app-model.json must hold, built from the code's declarations (CosmosModel,
/// MessagingTopology). main.bicep loads that file, so the code stays the single source of truth.
/// </summary>
public static class CodeModel
{
    public static string AppModelPath => RepoPaths.InRoot("infra", "app-model.json");

    public static JsonObject Expected() => new()
    {
        ["cosmos"] = new JsonObject
        {
            ["databaseName"] = CosmosModel.DefaultDatabaseName,
            ["containers"] = new JsonArray([.. CosmosModel.Containers.Select(Container)]),
        },
        ["serviceBus"] = new JsonObject
        {
            ["topicName"] = MessagingTopology.OrdersTopic,
            ["maxDeliveryCount"] = MessagingTopology.MaxDeliveryCount,
            ["subscriptions"] = new JsonArray([.. MessagingTopology.Subscriptions.Select(Subscription)]),
        },
    };

    /// <summary>infra/app-model.json without its comment.</summary>
    public static JsonObject Committed()
    {
        var model = JsonNode.Parse(File.ReadAllText(AppModelPath))!.AsObject();
        model.Remove("$comment");
        return model;
    }

    public static string Show(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonNode Container(ContainerSpec container) => new JsonObject
    {
        ["name"] = container.Name,
        ["partitionKeyPath"] = container.PartitionKeyPath,
        ["defaultTtlSeconds"] = container.DefaultTimeToLiveSeconds,
        ["excludedPaths"] = new JsonArray([.. container.ExcludedPaths.Select(p => (JsonNode)p)]),
        ["compositeIndexes"] = new JsonArray([.. container.CompositeIndexes.Select(CompositeIndex)]),
    };

    private static JsonNode CompositeIndex(CompositeIndexSpec index) =>
        new JsonArray([.. index.Paths.Select(p => new JsonObject { ["path"] = p.Path, ["order"] = p.Order })]);

    private static JsonNode Subscription(SubscriptionSpec subscription) => new JsonObject
    {
        ["name"] = subscription.Name,
        ["requiresSession"] = subscription.RequiresSession,
        ["eventTypes"] = new JsonArray([.. subscription.EventTypes.Select(t => (JsonNode)t)]),
    };
}
