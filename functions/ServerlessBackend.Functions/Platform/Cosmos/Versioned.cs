namespace ServerlessBackend.Functions.Platform.Cosmos;

/// <summary>A stored value with the ETag of the version read.</summary>
public sealed record Versioned<T>(T Value, string ETag);

/// <summary>One page of a list and the opaque token for the next page (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);
