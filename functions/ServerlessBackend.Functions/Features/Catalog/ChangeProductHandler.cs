using ServerlessBackend.Functions.Domain;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>
/// An admin changes a product: its details, its stock, or deactivates it. Each is one conditional patch
/// on the ETag the admin read (If-Match), so a concurrent change (say, fulfillment reserving stock) is a 412, never lost.
/// A stale If-Match on a product that already is as the request would make it is the 200 it asked for (RFC 9110,
/// 13.1.1: the change has been made), so a retry whose first attempt made the change is never told 412.
/// </summary>
public sealed class ChangeProductHandler(IProductStore store, TimeProvider clock)
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
        return PatchAsync(caller, productId, errors, fields, ifMatch, p => p.Name == fields.Name && p.Description == fields.Description && p.Price == fields.Price && p.Currency == fields.Currency, cancellationToken);
    }

    public Task<Outcome<Versioned<Product>>> SetStockAsync(Caller caller, string productId, SetStockRequest request, string ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fields = new ProductFields(clock.GetUtcNow()) { AvailableStock = request.AvailableStock };
        return PatchAsync(caller, productId, request.Validate(), fields, ifMatch, p => p.AvailableStock == fields.AvailableStock, cancellationToken);
    }

    public Task<Outcome<Versioned<Product>>> DeactivateAsync(Caller caller, string productId, string ifMatch, CancellationToken cancellationToken) =>
        PatchAsync(caller, productId, new FieldErrors(), new ProductFields(clock.GetUtcNow()) { Active = false }, ifMatch, p => !p.Active, cancellationToken);

    private async Task<Outcome<Versioned<Product>>> PatchAsync(
        Caller caller, string productId, FieldErrors errors, ProductFields fields, string ifMatch, Func<Product, bool> alreadyMade, CancellationToken cancellationToken)
    {
        if (!ProductRules.IsValidId(productId))
        {
            return ApiError.NotFound("The product");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        try
        {
            return Outcome.Ok(await store.SetAsync(caller.TenantId, productId, fields, ifMatch, cancellationToken));
        }
        catch (DocumentNotFoundException)
        {
            return ApiError.NotFound("The product");
        }
        catch (DocumentPreconditionFailedException)
        {
            // Only on this path is the product read: a retry finds its own change made.
            var current = await store.GetAsync(caller.TenantId, productId, cancellationToken);
            return current is not null && alreadyMade(current.Value) ? Outcome.Ok(current) : ApiError.StaleETag();
        }
    }
}
