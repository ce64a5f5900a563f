using Microsoft.Azure.Cosmos;

namespace ServerlessBackend.Tests.Infrastructure;

/// <summary>
/// Works around a cosmosdb-server bug: a point read of an id that does not exist crashes its partition
/// key check (HTTP 500) instead of answering 404. With this header the server skips that check and its
/// partition-aware lookup answers 404, as Cosmos DB does; a document in another partition stays invisible.
/// Test client only.
/// </summary>
public sealed class CosmosServerReadWorkaround : RequestHandler
{
    public override Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method == HttpMethod.Get && request.RequestUri?.OriginalString.Contains("/docs/", StringComparison.Ordinal) == true)
        {
            request.Headers.Set("x-ms-documentdb-query-enablecrosspartition", "true");
        }

        return base.SendAsync(request, cancellationToken);
    }
}
