using System.Globalization;
using Azure.Core;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// @vercel/cosmosdb-server (a Cosmos DB REST protocol server) on a free 127.0.0.1 port, started through
/// tests/tools/cosmosdb-server.js (which makes it answer as Cosmos DB does where the app depends on it), and
/// clients for it with the app's own options. Its certificate is self-signed: these clients accept it, the
/// app's client never does.
/// </summary>
public sealed class LocalCosmosServer : IDisposable
{
    private readonly LocalServer _server;

    private LocalCosmosServer(int port, LocalServer server)
    {
        Port = port;
        _server = server;
    }

    public int Port { get; }

    public Uri Endpoint => new($"https://127.0.0.1:{Port}/");

    public static LocalCosmosServer Start()
    {
        var port = LocalServer.FreePort();
        var server = LocalServer.Start("cosmosdb-server.js", ["--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)], [port]);
        return new LocalCosmosServer(port, server);
    }

    /// <summary>A client for this server (see <see cref="CreateClient(Uri, RequestHandler)"/>).</summary>
    public CosmosClient CreateClient(RequestHandler handler) => CreateClient(Endpoint, handler);

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
        return CosmosClientFactory.Create(endpoint, new EmulatorKeyOnly(), isDevelopment: true, options);
    }

    public void Dispose() => _server.Dispose();

    /// <summary>A loopback endpoint is reached with the emulator's published key: no token is ever asked for.</summary>
    private sealed class EmulatorKeyOnly : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A local Cosmos server is reached with the emulator key, never with a token.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A local Cosmos server is reached with the emulator key, never with a token.");
    }
}
