using System.Globalization;
using Azure.Core;
using Microsoft.Azure.Cosmos;
using Moq;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Tests.Infrastructure;

/// <summary>
/// @vercel/cosmosdb-server (a Cosmos DB REST protocol server) on a free 127.0.0.1 port, with the app's own
/// CosmosClient (Gateway mode, System.Text.Json serializer) and containers created from CosmosModel.
/// Started through tests/tools/cosmosdb-server.js, which fixes its answer to a read of a missing document.
/// Its certificate is self-signed: this test-only client accepts it, the app's client never does.
/// </summary>
public sealed class CosmosServerFixture : IDisposable
{
    private readonly LocalServer _server;

    public CosmosServerFixture()
    {
        Port = LocalServer.FreePort();
        _server = LocalServer.Start("cosmosdb-server.js", ["--host", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture)], [Port]);
        Client = CreateClient(new Uri($"https://127.0.0.1:{Port}/"), Counter);
        CosmosBootstrap.EnsureCreatedAsync(Client, DatabaseName, CancellationToken.None).GetAwaiter().GetResult();
        Containers = new CosmosContainers(Client, DatabaseName);
        Counter.Reset();
    }

    public int Port { get; }

    public string DatabaseName { get; } = "tests";

    public CosmosRequestCounter Counter { get; } = new();

    public CosmosClient Client { get; }

    public CosmosContainers Containers { get; }

    /// <summary>The app's client options plus: accept a self-signed certificate, <paramref name="handler"/> in the pipeline (e.g. count requests), stay on the given endpoint.</summary>
    public static CosmosClient CreateClient(Uri endpoint, RequestHandler handler)
    {
        var options = CosmosClientFactory.DefaultOptions();
        options.LimitToEndpoint = true;
        options.CustomHandlers.Add(handler);
        options.HttpClientFactory = () => new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        });
        return CosmosClientFactory.Create(endpoint, Mock.Of<TokenCredential>(), isDevelopment: true, options);
    }

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
