using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Tests.Infrastructure;

/// <summary>
/// The local Cosmos-protocol server (<see cref="LocalCosmosServer"/>) with the app's own CosmosClient
/// (Gateway mode, System.Text.Json serializer), a request counter in its pipeline, and the containers
/// created from CosmosModel.
/// </summary>
public sealed class CosmosServerFixture : IDisposable
{
    private readonly LocalCosmosServer _server;

    public CosmosServerFixture()
    {
        _server = LocalCosmosServer.Start();
        Client = _server.CreateClient(Counter);
        CosmosBootstrap.EnsureCreatedAsync(Client, DatabaseName, CancellationToken.None).GetAwaiter().GetResult();
        Containers = new CosmosContainers(Client, DatabaseName);
        Counter.Reset();
    }

    public int Port => _server.Port;

    public string DatabaseName { get; } = "tests";

    public CosmosRequestCounter Counter { get; } = new();

    public CosmosClient Client { get; }

    public CosmosContainers Containers { get; }

    /// <inheritdoc cref="LocalCosmosServer.CreateClient(Uri, RequestHandler)"/>
    public static CosmosClient CreateClient(Uri endpoint, RequestHandler handler) => LocalCosmosServer.CreateClient(endpoint, handler);

    public void Dispose()
    {
        Client.Dispose();
        _server.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class CosmosServerCollection : ICollectionFixture<CosmosServerFixture>
{
    public const string Name = "CosmosServer";
}
