using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// The local Cosmos-protocol server (<see cref="LocalCosmosServer"/>), one process for the whole test run, with
/// a CosmosClient of the app's own kind per test class (Gateway mode, System.Text.Json serializer), its own request
/// counter in the pipeline, and the containers created from CosmosModel. Test classes take it as a class fixture,
/// so they run in parallel: each test works in a tenant of its own, and each class counts only its own requests.
/// </summary>
public sealed class CosmosServerFixture : IDisposable
{
    private const string Database = "tests";

    private static readonly Lazy<LocalCosmosServer> Server = new(StartServer, LazyThreadSafetyMode.ExecutionAndPublication);

    public CosmosServerFixture()
    {
        Port = Server.Value.Port;
        Client = Server.Value.CreateClient(Counter);
        Containers = new CosmosContainers(Client, Database);
        Counter.Reset();
    }

    public int Port { get; }

    public string DatabaseName { get; } = Database;

    public CosmosRequestCounter Counter { get; } = new();

    public CosmosClient Client { get; }

    public CosmosContainers Containers { get; }

    /// <inheritdoc cref="LocalCosmosServer.CreateClient(Uri, RequestHandler)"/>
    public static CosmosClient CreateClient(Uri endpoint, RequestHandler handler) => LocalCosmosServer.CreateClient(endpoint, handler);

    public void Dispose() => Client.Dispose();

    /// <summary>Started once, with the database and containers created once (concurrent creates would conflict); stopped when the test process exits (LocalServer), even when this set-up throws.</summary>
    private static LocalCosmosServer StartServer()
    {
        var server = LocalCosmosServer.Start();
        CosmosBootstrap.EnsureCreatedAsync(server.Endpoint, Database, allowUntrustedCertificate: true, CancellationToken.None).GetAwaiter().GetResult();
        return server;
    }
}
