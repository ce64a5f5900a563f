using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>Any caller of the tenant reads its catalog: one product (a point read) or a page of them.</summary>
public sealed class ReadProductsHandler(IProductStore store)
{
    public async Task<Outcome<Versioned<Product>>> GetAsync(Caller caller, string productId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var product = ProductRules.IsValidId(productId) ? await store.GetAsync(caller.TenantId, productId, cancellationToken) : null;
        return product is null ? ApiError.NotFound("The product") : Outcome.Ok(product);
    }

    public async Task<Outcome<Page<Product>>> ListAsync(Caller caller, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(page);
        try
        {
            return Outcome.Ok(await store.ListAsync(caller.TenantId, page.PageSize, page.ContinuationToken, cancellationToken));
        }
        catch (InvalidContinuationTokenException)
        {
            return ApiError.Field("continuationToken", "Not a token this API issued for this list.");
        }
    }
}
