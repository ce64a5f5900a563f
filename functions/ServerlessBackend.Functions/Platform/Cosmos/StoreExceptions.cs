
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Platform.Cosmos;

/// <summary>A create hit an existing id (Cosmos 409).</summary>
public sealed class DocumentConflictException(string id, Exception? inner = null)
    : Exception($"A document with id '{id}' already exists.", inner);

/// <summary>The ETag given with a write is stale (Cosmos 412), or a conditional patch's filter did not match.</summary>
public sealed class DocumentPreconditionFailedException(string id, Exception? inner = null)
    : Exception($"Document '{id}' has changed since it was read.", inner);

/// <summary>The document does not exist (Cosmos 404 on a write).</summary>
public sealed class DocumentNotFoundException(string id, Exception? inner = null)
    : Exception($"Document '{id}' was not found.", inner);

/// <summary>Cosmos kept throttling (429) after the SDK's own retries; the API answers 503 with Retry-After (Cosmos's hint, else 1 s).</summary>
public sealed class StoreThrottledException(TimeSpan? retryAfter, Exception? inner = null)
    : DependencyUnavailableException(CosmosErrors.Dependency, "throttled (429)", retryAfter ?? TimeSpan.FromSeconds(1), inner)
{
    public override bool IsThrottling => true;
}

/// <summary>The store refused a continuation token (tampered with, or from another list).</summary>
public sealed class InvalidContinuationTokenException(Exception inner)
    : Exception("The continuation token is not valid for this query.", inner);
