using Microsoft.Azure.Cosmos;

namespace ServerlessBackend.Functions.Platform.Cosmos;

/// <summary>The app's containers, from the one singleton client; names come from <see cref="CosmosModel"/>.</summary>
public sealed class CosmosContainers(CosmosClient client, string databaseName)
{
    public Database Database { get; } = client.GetDatabase(databaseName);

    public Container Products => Database.GetContainer(CosmosModel.Products.Name);

    public Container Orders => Database.GetContainer(CosmosModel.Orders.Name);

    public Container Notifications => Database.GetContainer(CosmosModel.Notifications.Name);

    public Container Tenants => Database.GetContainer(CosmosModel.Tenants.Name);

    public Container Webhooks => Database.GetContainer(CosmosModel.Webhooks.Name);
}
