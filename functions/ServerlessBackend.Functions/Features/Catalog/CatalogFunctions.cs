using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>
/// The catalog routes: bindings and mapping only; the handlers hold the rules. Admin routes refuse a
/// customer (403) before reading the body, so the answer does not depend on what was sent.
/// </summary>
public sealed class CatalogFunctions(CreateProductHandler create, ChangeProductHandler change, ReadProductsHandler read)
{
    [Function("CreateProduct")]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/products")] HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        if (CallerRules.RequireAdmin(caller) is { } forbidden)
        {
            return ApiProblems.From(forbidden);
        }

        var body = await JsonBody.ReadAsync<CreateProductRequest>(request, cancellationToken);
        if (body.Error is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var outcome = await create.HandleAsync(caller, body.Value!, cancellationToken);
        return ApiProblems.Map(outcome, product => ProductResponse.Result(request.HttpContext.Response, product, created: true));
    }

    [Function("ListProducts")]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/products")] HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var page = PageRequest.Parse(request.Query);
        if (page.Error is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var active = request.Query.TryGetValue("active", out var value) ? value.ToString() : null;
        var outcome = await read.ListAsync(caller, page.Value!, active, cancellationToken);
        return ApiProblems.Map(outcome, products => Results.Json(PageResponse.From(products, ProductResponse.From), ApiJson.Options));
    }

    [Function("GetProduct")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/products/{productId}")] HttpRequest request, string productId, CancellationToken cancellationToken)
    {
        var outcome = await read.GetAsync(request.RequireCaller(), productId, cancellationToken);
        return ApiProblems.Map(outcome, product => ProductResponse.Result(request.HttpContext.Response, product));
    }

    [Function("UpdateProduct")]
    public Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/products/{productId}")] HttpRequest request, string productId, CancellationToken cancellationToken) =>
        ChangeWithBody<UpdateProductRequest>(request, (caller, body, ifMatch) => change.UpdateAsync(caller, productId, body, ifMatch, cancellationToken), cancellationToken);

    [Function("SetProductStock")]
    public Task<IResult> SetStock(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/products/{productId}/stock")] HttpRequest request, string productId, CancellationToken cancellationToken) =>
        ChangeWithBody<SetStockRequest>(request, (caller, body, ifMatch) => change.SetStockAsync(caller, productId, body, ifMatch, cancellationToken), cancellationToken);

    [Function("DeactivateProduct")]
    public async Task<IResult> Deactivate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/products/{productId}/deactivate")] HttpRequest request, string productId, CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var ifMatch = Preconditions.RequireIfMatch(request);
        if ((CallerRules.RequireAdmin(caller) ?? ifMatch.Error) is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var outcome = await change.DeactivateAsync(caller, productId, ifMatch.Value!, cancellationToken);
        return ApiProblems.Map(outcome, product => ProductResponse.Result(request.HttpContext.Response, product));
    }

    private static async Task<IResult> ChangeWithBody<TBody>(HttpRequest request, Func<Caller, TBody, string, Task<Outcome<Versioned<Product>>>> handle, CancellationToken cancellationToken)
        where TBody : class
    {
        var caller = request.RequireCaller();
        if (CallerRules.RequireAdmin(caller) is { } forbidden)
        {
            return ApiProblems.From(forbidden);
        }

        var ifMatch = Preconditions.RequireIfMatch(request);
        var body = await JsonBody.ReadAsync<TBody>(request, cancellationToken);
        if ((body.Error ?? ifMatch.Error) is { } invalid)
        {
            return ApiProblems.From(invalid);
        }

        var outcome = await handle(caller, body.Value!, ifMatch.Value!);
        return ApiProblems.Map(outcome, product => ProductResponse.Result(request.HttpContext.Response, product));
    }
}
