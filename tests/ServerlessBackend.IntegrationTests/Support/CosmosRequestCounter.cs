using System.Collections.Concurrent;
using Microsoft.Azure.Cosmos;

namespace ServerlessBackend.Tests.Support;

/// <summary>A handler in the CosmosClient pipeline that counts the requests the app sends and the RUs charged.</summary>
public sealed class CosmosRequestCounter : RequestHandler
{
    private readonly ConcurrentQueue<CosmosRequestRecord> _requests = new();

    public IReadOnlyList<CosmosRequestRecord> Requests => [.. _requests];

    public void Reset() => _requests.Clear();

    public override async Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await base.SendAsync(request, cancellationToken);
        _requests.Enqueue(new CosmosRequestRecord(request.Method.Method, request.RequestUri?.OriginalString ?? "", (int)response.StatusCode, response.Headers.RequestCharge));
        return response;
    }
}

public sealed record CosmosRequestRecord(string Method, string Resource, int StatusCode, double RequestCharge);
