namespace ServerlessBackend.Functions.Shared.Cosmos;

/// <summary>
/// The Cosmos DB database and containers, declared once: the local bootstrap creates them from
/// this and the infra tests check that infra/ provisions exactly these (names, partition keys, TTLs,
/// indexing). Every partition key value starts with the tenant id.
/// </summary>
public static class CosmosModel
{
    public const string DefaultDatabaseName = "serverless-backend";

    public static ContainerSpec Products { get; } = new("products", "/tenantId", DefaultTimeToLiveSeconds: null, ExcludedPaths: ["/description/?"]);

    public static ContainerSpec Orders { get; } = new("orders", "/tenantId", DefaultTimeToLiveSeconds: null, ExcludedPaths: ["/lines/*", "/statusHistory/*", "/outbox/*"]);

    /// <summary>Record of notifications sent (email idempotency); items expire after 30 days.</summary>
    public static ContainerSpec Notifications { get; } = new("notifications", "/tenantId", DefaultTimeToLiveSeconds: 30 * 24 * 3600, ExcludedPaths: ["/*"]);

    public static IReadOnlyList<ContainerSpec> Containers { get; } = [Products, Orders, Notifications];
}

/// <summary>A container's shape. <paramref name="DefaultTimeToLiveSeconds"/> null means TTL off.</summary>
public sealed record ContainerSpec(string Name, string PartitionKeyPath, int? DefaultTimeToLiveSeconds, IReadOnlyList<string> ExcludedPaths);
