namespace ServerlessBackend.Tests.Support;

/// <summary>Azurite (blob, queue, table) in memory on free 127.0.0.1 ports, for tests that need storage.</summary>
public sealed class AzuriteFixture : IDisposable
{
    // Azurite's published, well-known development account key: not a secret.
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly LocalServer _server;

    public AzuriteFixture()
    {
        BlobPort = LocalServer.FreePort();
        QueuePort = LocalServer.FreePort();
        TablePort = LocalServer.FreePort();
        _server = LocalServer.Start(
            "azurite",
            [
                "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--silent",
                "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ],
            [BlobPort, QueuePort, TablePort]);
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public void Dispose() => _server.Dispose();
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
