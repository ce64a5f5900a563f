namespace ServerlessBackend.Functions.Platform.Cosmos;

/// <summary>
/// The Cosmos DB database and containers, declared once: the local bootstrap creates them from
/// this and the infra tests check that infra/ provisions exactly these (names, partition keys, TTLs,
/// indexing). Every partition key value starts with the tenant id.
/// </summary>
public static class CosmosModel
{
    public const string DefaultDatabaseName = "serverless-backend";

    /// <summary>
    /// The containers that hold audit entries beside what they describe (see Shared/Audit/AuditTrail) have TTL on with no
    /// default (-1): nothing expires unless it says so, and an entry carries its own ttl (the environment's retention).
    /// The entries' before and after are never queried.
    /// </summary>
    public const int PerItemTimeToLive = -1;

    /// <summary>Products; the reservation ledger (Shared/Catalog/StockLedger) is never queried, so it adds no index terms to each reservation.</summary>
    public static ContainerSpec Products { get; } = new("products", "/tenantId", PerItemTimeToLive, ExcludedPaths: ["/description/?", "/reservations/*", "/settled/*", "/before/*", "/after/*"], CompositeIndexes: []);

    public static ContainerSpec Orders { get; } = new("orders", "/tenantId", PerItemTimeToLive, ExcludedPaths: ["/lines/*", "/statusHistory/*", "/outbox/*", "/payment/*", "/refunds/*", "/before/*", "/after/*"], CompositeIndexes: OrderLists.All);

    /// <summary>Record of notifications sent (email idempotency); items expire after 30 days.</summary>
    public static ContainerSpec Notifications { get; } = new("notifications", "/tenantId", DefaultTimeToLiveSeconds: 30 * 24 * 3600, ExcludedPaths: ["/*"], CompositeIndexes: []);

    /// <summary>The onboarded tenants (the allow-list): one small document per tenant, read by id on an allow-list cache miss, never queried; beside it the tenant's onboarding and dead-letter audit entries, which the audit route queries.</summary>
    public static ContainerSpec Tenants { get; } = new("tenants", "/tenantId", PerItemTimeToLive, ExcludedPaths: ["/history/*", "/before/*", "/after/*"], CompositeIndexes: []);

    /// <summary>The tenants' webhook endpoints (with their signing secrets): a few documents per tenant, read by id or a scan of the tenant's partition, never indexed.</summary>
    public static ContainerSpec Webhooks { get; } = new("webhooks", "/tenantId", DefaultTimeToLiveSeconds: null, ExcludedPaths: ["/*"], CompositeIndexes: []);

    public static IReadOnlyList<ContainerSpec> Containers { get; } = [Products, Orders, Notifications, Tenants, Webhooks];

    /// <summary>
    /// The composite indexes of the orders list: equality on the tenant (the partition key) and optionally on
    /// the customer and/or the status, newest first. Cosmos serves a filter plus ORDER BY from a composite
    /// index only when the ORDER BY names the equality-filtered properties first, in the index's order and
    /// directions, so the orders store renders its ORDER BY from the index <see cref="For"/> picks.
    /// </summary>
    public static class OrderLists
    {
        private static readonly IndexedPath Tenant = new("/tenantId", Descending: false);
        private static readonly IndexedPath Customer = new("/customerId", Descending: false);
        private static readonly IndexedPath Status = new("/status", Descending: false);
        private static readonly IndexedPath NewestFirst = new("/createdAt", Descending: true);

        public static IReadOnlyList<CompositeIndexSpec> All { get; } =
        [
            new([Tenant, NewestFirst]),
            new([Tenant, Customer, NewestFirst]),
            new([Tenant, Status, NewestFirst]),
            new([Tenant, Customer, Status, NewestFirst]),
        ];

        /// <summary>The index for a list filtered by customer and/or status (always by tenant).</summary>
        public static CompositeIndexSpec For(bool byCustomer, bool byStatus) =>
            All.Single(index => index.Paths.Contains(Customer) == byCustomer && index.Paths.Contains(Status) == byStatus);
    }
}

/// <summary>A container's shape. <paramref name="DefaultTimeToLiveSeconds"/> null means TTL off.</summary>
public sealed record ContainerSpec(
    string Name, string PartitionKeyPath, int? DefaultTimeToLiveSeconds, IReadOnlyList<string> ExcludedPaths, IReadOnlyList<CompositeIndexSpec> CompositeIndexes);

/// <summary>A composite index: top-level scalar paths, each ascending or descending, in this sequence.</summary>
public sealed record CompositeIndexSpec(IReadOnlyList<IndexedPath> Paths)
{
    /// <summary>The ORDER BY clause this index serves, e.g. <c>ORDER BY c.tenantId ASC, c.createdAt DESC</c>.</summary>
    public string OrderByClause(string alias) =>
        "ORDER BY " + string.Join(", ", Paths.Select(p => $"{alias}.{p.Path.TrimStart('/')} {(p.Descending ? "DESC" : "ASC")}"));
}

/// <summary>One path of a composite index; <see cref="Order"/> is the spelling Cosmos and ARM use.</summary>
public sealed record IndexedPath(string Path, bool Descending)
{
    public string Order => Descending ? "descending" : "ascending";
}
