using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Platform.Cosmos;

/// <summary>Translates Cosmos status codes into the store exceptions the handlers understand.</summary>
internal static class CosmosErrors
{
    public const string Dependency = "Cosmos DB";

    public static async Task<T> Translate<T>(string id, Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            throw new DocumentConflictException(id, e);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new DocumentPreconditionFailedException(id, e);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new DocumentNotFoundException(id, e);
        }
        catch (Exception e) when (Unavailable(e) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <summary>
    /// Throttling that outlasted the SDK's retries (429), the service unavailable or timing out (503, 408: what the
    /// SDK answers once its own retries are spent), or the endpoint unreachable (the SDK lets HttpRequestException
    /// through); null for any other failure.
    /// </summary>
    public static DependencyUnavailableException? Unavailable(Exception exception) => exception switch
    {
        CosmosException { StatusCode: HttpStatusCode.TooManyRequests } e => new StoreThrottledException(e.RetryAfter, e),
        CosmosException { StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout } e =>
            new DependencyUnavailableException(Dependency, ((int)e.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), inner: e),
        HttpRequestException e => new DependencyUnavailableException(Dependency, "unreachable", inner: e),
        _ => null,
    };

    /// <summary>
    /// Runs a transactional batch (one partition, all or nothing) and answers as <see cref="Translate{T}"/> does for a
    /// single write: the batch's status is its failing operation's (the SDK promotes it from the service's 207), so a
    /// stale If-Match anywhere in it is a <see cref="DocumentPreconditionFailedException"/> and nothing of it was written.
    /// </summary>
    public static Task<TransactionalBatchResponse> ExecuteBatchAsync(string id, TransactionalBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Translate(id, async () =>
        {
            var response = await batch.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var (status, retryAfter, activityId, charge) = (response.StatusCode, response.RetryAfter, response.ActivityId, response.RequestCharge);
                response.Dispose();
                if (status == HttpStatusCode.TooManyRequests)
                {
                    throw new StoreThrottledException(retryAfter);
                }

                throw new CosmosException($"The transactional batch failed with {(int)status}.", status, 0, activityId, charge);
            }

            return response;
        });
    }

    /// <summary>A point read that maps 404 to null.</summary>
    public static async Task<Versioned<T>?> ReadOrNull<T>(Container container, string id, string partitionKey, CancellationToken cancellationToken)
    {
        try
        {
            var response = await container.ReadItemAsync<T>(id, new PartitionKey(partitionKey), cancellationToken: cancellationToken).ConfigureAwait(false);
            return new Versioned<T>(response.Resource, response.ETag);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (Unavailable(e) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <summary>A point read of the document's JSON as stored (for a container that holds more than one kind), 404 as null.</summary>
    public static async Task<Versioned<byte[]>?> ReadJsonOrNull(Container container, string id, string partitionKey, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await container.ReadItemStreamAsync(id, new PartitionKey(partitionKey), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            response.EnsureSuccessStatusCode();
            using var json = new MemoryStream();
            await response.Content.CopyToAsync(json, cancellationToken).ConfigureAwait(false);
            return new Versioned<byte[]>(json.ToArray(), response.Headers.ETag);
        }
        catch (Exception e) when (Unavailable(e) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <summary>
    /// Reads one page of a single-partition query. <paramref name="directExecution"/> (for ORDER BY queries) skips
    /// the query-plan round trip the SDK otherwise makes for them; plain filters never need a plan.
    /// </summary>
    public static async Task<Page<T>> ReadPage<T>(Container container, QueryDefinition query, string partitionKey, int pageSize, string? continuation, bool directExecution, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadPageUnchecked<T>(container, query, partitionKey, pageSize, continuation, directExecution, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (continuation is not null && e is CosmosException { StatusCode: HttpStatusCode.BadRequest } or ArgumentException or FormatException or System.Text.Json.JsonException or Newtonsoft.Json.JsonException)
        {
            // A continuation token that the SDK or the service cannot parse is the client's mistake, not ours.
            throw new InvalidContinuationTokenException(e);
        }
    }

    private static Task<Page<T>> ReadPageUnchecked<T>(Container container, QueryDefinition query, string partitionKey, int pageSize, string? continuation, bool directExecution, CancellationToken cancellationToken) =>
        Translate("query", async () =>
        {
            var options = new QueryRequestOptions { PartitionKey = new PartitionKey(partitionKey), MaxItemCount = pageSize, EnableOptimisticDirectExecution = directExecution };
            using var iterator = container.GetItemQueryIterator<T>(query, continuation, options);
            var items = new List<T>();
            string? next = continuation;
            // A page may come back empty with a token (the service stopped early); keep reading until items or the end.
            while (iterator.HasMoreResults && items.Count == 0)
            {
                var page = await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false);
                items.AddRange(page);
                next = page.ContinuationToken;
            }

            return new Page<T>(items, iterator.HasMoreResults ? next : null);
        });
}
