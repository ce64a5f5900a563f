using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>The catalog routes, one function each serving all its methods: bindings and mapping only; the handlers hold the rules.</summary>
public sealed class CatalogFunctions(CreateProductHandler create, ChangeProductHandler change, ReadProductsHandler read)
{
    [Function("Products")]
    [AdminOnly("POST")]
    public Task<IResult> Products(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.Products)] HttpRequest request, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => List(request, cancellationToken), post: () => Create(request, cancellationToken));

    [Function("Product")]
    [AdminOnly("PUT")]
    public Task<IResult> Product(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.Product)] HttpRequest request, string productId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => Get(request, productId, cancellationToken), put: () => Update(request, productId, cancellationToken));

    [Function("ProductStock")]
    [AdminOnly("PUT")]
    public Task<IResult> ProductStock(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.ProductStock)] HttpRequest request, string productId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, put: () => SetStock(request, productId, cancellationToken));

    [Function("ProductDeactivation")]
    [AdminOnly("POST")]
    public Task<IResult> ProductDeactivation(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.ProductDeactivation)] HttpRequest request, string productId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, post: () => Deactivate(request, productId, cancellationToken));

    private async Task<IResult> Create(HttpRequest request, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadAsync<CreateProductRequest>(request, cancellationToken),
            body => create.HandleAsync(request.RequireCaller(), body, cancellationToken),
            created => ProductResponse.Created(request.HttpContext.Response, created));

    private Task<IResult> List(HttpRequest request, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            PageRequest.Parse(request.Query),
            page => read.ListAsync(request.RequireCaller(), page, request.Query.TryGetValue("active", out var active) ? active.ToString() : null, cancellationToken),
            products => Results.Json(PageResponse.From(products, ProductResponse.From), ApiJson.Options));

    private Task<IResult> Get(HttpRequest request, string productId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            Preconditions.OptionalIfNoneMatch(request),
            _ => read.GetAsync(request.RequireCaller(), productId, cancellationToken),
            (ifNoneMatch, product) => Preconditions.NotModifiedOr(
                request.HttpContext.Response, ifNoneMatch, product.ETag, () => ProductResponse.Result(request.HttpContext.Response, product)));

    private async Task<IResult> Update(HttpRequest request, string productId, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadAsync<UpdateProductRequest>(request, cancellationToken),
            Preconditions.RequireIfMatch(request),
            (body, ifMatch) => change.UpdateAsync(request.RequireCaller(), productId, body, ifMatch, cancellationToken),
            product => ProductResponse.Result(request.HttpContext.Response, product));

    private async Task<IResult> SetStock(HttpRequest request, string productId, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadAsync<SetStockRequest>(request, cancellationToken),
            Preconditions.RequireIfMatch(request),
            (body, ifMatch) => change.SetStockAsync(request.RequireCaller(), productId, body, ifMatch, cancellationToken),
            product => ProductResponse.Result(request.HttpContext.Response, product));

    private Task<IResult> Deactivate(HttpRequest request, string productId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            Preconditions.RequireIfMatch(request),
            ifMatch => change.DeactivateAsync(request.RequireCaller(), productId, ifMatch, cancellationToken),
            product => ProductResponse.Result(request.HttpContext.Response, product));
}
