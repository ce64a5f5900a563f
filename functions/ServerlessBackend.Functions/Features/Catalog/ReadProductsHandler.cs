using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Catalog;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>
/// Reads the tenant's catalog: one product (a point read) or a page of them. Customers see only active
/// products (an inactive one is a 404, like an unknown id, and never listed); admins see every product and
/// may filter the list with ?active=true|false.
/// </summary>
public sealed class ReadProductsHandler(IProductStore store)
{
    public async Task<Outcome<Versioned<Product>>> GetAsync(Caller caller, string productId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var product = ProductIds.IsValid(productId) ? await store.GetAsync(caller.TenantId, productId, cancellationToken) : null;
        return product is not null && (caller.IsAdmin || product.Value.Active) ? Outcome.Ok(product) : ApiError.NotFound("The product");
    }

    /// <summary>A page of the products the caller may see; <paramref name="active"/> is the raw ?active= value, or null when absent.</summary>
    public async Task<Outcome<Page<Product>>> ListAsync(Caller caller, PageRequest page, string? active, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(page);
        if (active is not (null or "true" or "false"))
        {
            return ApiError.Field("active", "Must be true or false.");
        }

        bool? filter = active is null ? null : active == "true";

        if (!caller.IsAdmin)
        {
            if (filter == false)
            {
                return new ApiError(ProblemKind.Forbidden, $"Only a caller with the '{AuthOptions.AdminRole}' role can list inactive products.");
            }

            filter = true;
        }

        var scope = ContinuationScope.Of("products", caller.TenantId, filter?.ToString());
        if (!ContinuationScope.TryOpen(scope, page.ContinuationToken, out var continuation))
        {
            return PageRequest.ForeignToken();
        }

        try
        {
            var products = await store.ListAsync(new ProductListQuery(caller.TenantId, filter, page.PageSize, continuation), cancellationToken);
            return Outcome.Ok(products with { ContinuationToken = ContinuationScope.Bind(scope, products.ContinuationToken) });
        }
        catch (InvalidContinuationTokenException)
        {
            return PageRequest.ForeignToken();
        }
    }
}
