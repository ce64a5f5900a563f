using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Emulators;

/// <summary>A throw-away database on the Cosmos DB emulator, created from CosmosModel by the app's bootstrap and deleted afterwards.</summary>
public sealed class CosmosEmulatorFixture : IAsyncLifetime
{
    private CosmosClient? _client;

    public CosmosRequestCounter Counter { get; } = new();

    public CosmosContainers Containers { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (CosmosEmulatorFactAttribute.Endpoint is not { } endpoint)
        {
            return;
        }

        _client = CosmosServerFixture.CreateClient(endpoint, Counter);
        var database = $"tests-{Guid.NewGuid():N}";
        await CosmosBootstrap.EnsureCreatedAsync(endpoint, database, allowUntrustedCertificate: true, CancellationToken.None);
        Containers = new CosmosContainers(_client, database);
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await Containers.Database.DeleteAsync();
            _client.Dispose();
        }
    }
}
