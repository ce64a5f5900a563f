using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>The catalog routes: bindings and mapping only; the handlers hold the rules.</summary>
public sealed class CatalogFunctions(CreateProductHandler create, ChangeProductHandler change, ReadProductsHandler read)
{
    [Function("CreateProduct")]
    [AdminOnly]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/products")] HttpRequest request, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadAsync<CreateProductRequest>(request, cancellationToken),
            body => create.HandleAsync(request.RequireCaller(), body, cancellationToken),
            created => ProductResponse.Created(request.HttpContext.Response, created));

    [Function("ListProducts")]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/products")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            PageRequest.Parse(request.Query),
            page => read.ListAsync(request.RequireCaller(), page, request.Query.TryGetValue("active", out var active) ? active.ToString() : null, cancellationToken),
            products => Results.Json(PageResponse.From(products, ProductResponse.From), ApiJson.Options));

    [Function("GetProduct")]
    public Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/products/{productId}")] HttpRequest request, string productId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            Preconditions.OptionalIfNoneMatch(request),
            _ => read.GetAsync(request.RequireCaller(), productId, cancellationToken),
            (ifNoneMatch, product) => Preconditions.NotModifiedOr(
                request.HttpContext.Response, ifNoneMatch, product.ETag, () => ProductResponse.Result(request.HttpContext.Response, product)));

    [Function("UpdateProduct")]
    [AdminOnly]
    public async Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/products/{productId}")] HttpRequest request, string productId, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadAsync<UpdateProductRequest>(request, cancellationToken),
            Preconditions.RequireIfMatch(request),
            (body, ifMatch) => change.UpdateAsync(request.RequireCaller(), productId, body, ifMatch, cancellationToken),
            product => ProductResponse.Result(request.HttpContext.Response, product));

    [Function("SetProductStock")]
    [AdminOnly]
    public async Task<IResult> SetStock(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/products/{productId}/stock")] HttpRequest request, string productId, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadAsync<SetStockRequest>(request, cancellationToken),
            Preconditions.RequireIfMatch(request),
            (body, ifMatch) => change.SetStockAsync(request.RequireCaller(), productId, body, ifMatch, cancellationToken),
            product => ProductResponse.Result(request.HttpContext.Response, product));

    [Function("DeactivateProduct")]
    [AdminOnly]
    public Task<IResult> Deactivate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/products/{productId}/deactivate")] HttpRequest request, string productId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            Preconditions.RequireIfMatch(request),
            ifMatch => change.DeactivateAsync(request.RequireCaller(), productId, ifMatch, cancellationToken),
            product => ProductResponse.Result(request.HttpContext.Response, product));
}
