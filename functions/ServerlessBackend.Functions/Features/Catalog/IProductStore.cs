using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Audit;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>The catalog's products, one tenant partition each: every call names the tenant.</summary>
public interface IProductStore
{
    Task<Versioned<Product>?> GetAsync(string tenantId, string productId, CancellationToken cancellationToken);

    /// <summary>One transactional batch, the product and its audit entry; throws <see cref="DocumentConflictException"/> when the id (SKU) exists. Returns the ETag.</summary>
    Task<string> CreateAsync(Product product, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the given fields in one patch, conditional on <paramref name="ifMatch"/>, in one transactional batch with its
    /// audit entry; returns the patched product. Throws <see cref="DocumentNotFoundException"/> or
    /// <see cref="DocumentPreconditionFailedException"/>, and then wrote neither.
    /// </summary>
    Task<Versioned<Product>> SetAsync(string tenantId, string productId, ProductFields fields, string ifMatch, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>A page of one tenant's products, optionally only the active or only the inactive ones (one single-partition query).</summary>
    Task<Page<Product>> ListAsync(ProductListQuery query, CancellationToken cancellationToken);
}

/// <summary><paramref name="Active"/> null lists every product of the tenant.</summary>
public sealed record ProductListQuery(string TenantId, bool? Active, int PageSize, string? ContinuationToken);

/// <summary>The fields a patch sets (null: leave unchanged, except <see cref="Description"/> when <see cref="SetDescription"/>).</summary>
public sealed record ProductFields(DateTimeOffset UpdatedAt)
{
    public string? Name { get; init; }

    public bool SetDescription { get; init; }

    public string? Description { get; init; }

    public decimal? Price { get; init; }

    public string? Currency { get; init; }

    public int? AvailableStock { get; init; }

    public bool? Active { get; init; }

    /// <summary><paramref name="product"/> as the patch leaves it.</summary>
    public Product ApplyTo(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return product with
        {
            Name = Name ?? product.Name,
            Description = SetDescription ? Description : product.Description,
            Price = Price ?? product.Price,
            Currency = Currency ?? product.Currency,
            AvailableStock = AvailableStock ?? product.AvailableStock,
            Active = Active ?? product.Active,
            UpdatedAt = UpdatedAt,
        };
    }
}
