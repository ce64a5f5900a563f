namespace ServerlessBackend.Functions.Domain.Catalog;

/// <summary>
/// A product as stored (products container, partition key /tenantId). <see cref="Id"/> is the SKU,
/// unique per tenant because Cosmos ids are unique per partition. <see cref="AvailableStock"/> is what
/// fulfillment reserves atomically (a conditional patch on /availableStock).
/// </summary>
public sealed record Product
{
    public required string Id { get; init; }

    public required string TenantId { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public required decimal Price { get; init; }

    /// <summary>ISO 4217 code, upper case.</summary>
    public required string Currency { get; init; }

    public required int AvailableStock { get; init; }

    public required bool Active { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Hash of the create request (null for products created before it was recorded): a retried create is told it succeeded.</summary>
    public string? CreateRequestHash { get; init; }
}
