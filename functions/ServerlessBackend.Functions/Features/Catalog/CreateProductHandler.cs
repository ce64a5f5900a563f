using ServerlessBackend.Functions.Domain;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>An admin adds a product to the tenant's catalog; its id (SKU) is unique per tenant.</summary>
public sealed class CreateProductHandler(IProductStore store, TimeProvider clock)
{
    public async Task<Outcome<Versioned<Product>>> HandleAsync(Caller caller, CreateProductRequest request, CancellationToken cancellationToken)
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
        };
        try
        {
            var etag = await store.CreateAsync(product, cancellationToken);
            return Outcome.Ok(new Versioned<Product>(product, etag));
        }
        catch (DocumentConflictException)
        {
            return new ApiError(ProblemKind.Conflict, $"A product with id '{product.Id}' already exists.");
        }
    }
}
