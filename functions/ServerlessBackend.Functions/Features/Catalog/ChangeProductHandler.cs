using ServerlessBackend.Functions.Domain;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Catalog;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>
/// An admin changes a product: its details, its stock, or deactivates it. Each is one conditional patch
/// on the ETag the admin read (If-Match), so a concurrent change (say, fulfillment reserving stock) is a 412, never lost.
/// A stale If-Match on a product that already is as the request would make it is the 200 it asked for (RFC 9110,
/// 13.1.1: the change has been made), so a retry whose first attempt made the change is never told 412.
/// The audit entry records the fields before and after, so the product is read first (a point read) and the patch goes
/// with its entry in one transactional batch on the admin's ETag: a 412 or 404 writes neither.
/// </summary>
public sealed class ChangeProductHandler(IProductStore store, TimeProvider clock, AuditTrail audit)
{
    public Task<Outcome<Versioned<Product>>> UpdateAsync(Caller caller, string productId, UpdateProductRequest request, string ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = request.Validate();
        var fields = new ProductFields(clock.GetUtcNow())
        {
            Name = request.Name?.Trim(),
            SetDescription = true,
            Description = request.Description,
            Price = request.Price is { } price ? Money.Normalize(price) : null,
            Currency = request.Currency,
        };
        return PatchAsync(caller, productId, errors, fields, ifMatch, "product.updated", p => p.Name == fields.Name && p.Description == fields.Description && p.Price == fields.Price && p.Currency == fields.Currency, cancellationToken);
    }

    public Task<Outcome<Versioned<Product>>> SetStockAsync(Caller caller, string productId, SetStockRequest request, string ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fields = new ProductFields(clock.GetUtcNow()) { AvailableStock = request.AvailableStock };
        return PatchAsync(caller, productId, request.Validate(), fields, ifMatch, "product.stockSet", p => p.AvailableStock == fields.AvailableStock, cancellationToken);
    }

    public Task<Outcome<Versioned<Product>>> DeactivateAsync(Caller caller, string productId, string ifMatch, CancellationToken cancellationToken) =>
        PatchAsync(caller, productId, new FieldErrors(), new ProductFields(clock.GetUtcNow()) { Active = false }, ifMatch, "product.deactivated", p => !p.Active, cancellationToken);

    private async Task<Outcome<Versioned<Product>>> PatchAsync(
        Caller caller, string productId, FieldErrors errors, ProductFields fields, string ifMatch, string operation, Func<Product, bool> alreadyMade, CancellationToken cancellationToken)
    {
        if (!ProductIds.IsValid(productId))
        {
            return ApiError.NotFound("The product");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var current = await store.GetAsync(caller.TenantId, productId, cancellationToken);
        if (current is null)
        {
            return ApiError.NotFound("The product");
        }

        if (!string.Equals(current.ETag, ifMatch, StringComparison.Ordinal))
        {
            return alreadyMade(current.Value) ? Outcome.Ok(current) : ApiError.StaleETag();
        }

        try
        {
            var entry = audit.Entry(new AuditAction(AuditActor.Of(caller), operation), caller.TenantId, AuditResource.Product(productId), current.Value, fields.ApplyTo(current.Value), AuditFields.Product);
            return Outcome.Ok(await store.SetAsync(caller.TenantId, productId, fields, ifMatch, entry, cancellationToken));
        }
        catch (DocumentNotFoundException)
        {
            return ApiError.NotFound("The product");
        }
        catch (DocumentPreconditionFailedException)
        {
            // Changed between the read and the batch: a retry racing its own first attempt finds its change made.
            var now = await store.GetAsync(caller.TenantId, productId, cancellationToken);
            return now is not null && alreadyMade(now.Value) ? Outcome.Ok(now) : ApiError.StaleETag();
        }
    }
}
