using ServerlessBackend.Functions.Domain;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Audit;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>
/// An admin adds a product to the tenant's catalog; its id (SKU) is unique per tenant. The id is the natural
/// idempotency key: a create that finds its id taken by a product created from the same request (same meaning)
/// is a retry and is told it succeeded, with the product as it stands; another request for that id is a 409.
/// </summary>
public sealed class CreateProductHandler(IProductStore store, TimeProvider clock, AuditTrail audit)
{
    public async Task<Outcome<CreatedProduct>> HandleAsync(Caller caller, CreateProductRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = request.Validate();
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var now = clock.GetUtcNow();
        var product = new Product
        {
            Id = request.Id!,
            TenantId = caller.TenantId,
            Name = request.Name!.Trim(),
            Description = request.Description,
            Price = Money.Normalize(request.Price!.Value),
            Currency = request.Currency!,
            AvailableStock = request.AvailableStock!.Value,
            Active = true,
            CreatedAt = now,
            UpdatedAt = now,
            CreateRequestHash = Hash(request),
        };
        try
        {
            var entry = audit.Entry(new AuditAction(AuditActor.Of(caller), "product.created"), caller.TenantId, AuditResource.Product(product.Id), before: null, product, AuditFields.Product);
            var etag = await store.CreateAsync(product, entry, cancellationToken);
            return Outcome.Ok(new CreatedProduct(new Versioned<Product>(product, etag), Replayed: false));
        }
        catch (DocumentConflictException)
        {
            var existing = await store.GetAsync(caller.TenantId, product.Id, cancellationToken);
            return existing is not null && string.Equals(existing.Value.CreateRequestHash, product.CreateRequestHash, StringComparison.Ordinal)
                ? Outcome.Ok(new CreatedProduct(existing, Replayed: true))
                : new ApiError(ProblemKind.Conflict, $"A product with id '{product.Id}' already exists.");
        }
    }

    /// <summary>The request's meaning: 12.5 and 12.50 are one price.</summary>
    public static string Hash(CreateProductRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Idempotency.Hash(request with { Price = request.Price is { } price ? Money.Normalize(price) : null });
    }
}

/// <summary>The created product; <see cref="Replayed"/> when a retried create found it already made.</summary>
public sealed record CreatedProduct(Versioned<Product> Product, bool Replayed);
