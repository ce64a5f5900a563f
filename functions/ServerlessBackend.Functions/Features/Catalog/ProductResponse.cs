using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Catalog;

/// <summary>A product as the API shows it (no tenant id: the caller's tenant is implied).</summary>
public sealed record ProductResponse(
    string Id, string Name, string? Description, decimal Price, string Currency, int AvailableStock, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ProductResponse From(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return new(product.Id, product.Name, product.Description, product.Price, product.Currency, product.AvailableStock, product.Active, product.CreatedAt, product.UpdatedAt);
    }

    public static string Location(string id) => $"/api/v1/products/{Uri.EscapeDataString(id)}";

    /// <summary>201 with Location, ETag and the product; a retried create says so in Idempotent-Replayed.</summary>
    public static IResult Created(HttpResponse response, CreatedProduct created)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(created);
        if (created.Replayed)
        {
            response.Headers[Idempotency.ReplayedHeader] = "true";
        }

        return Result(response, created.Product, created: true);
    }

    /// <summary>200 (or 201 with Location) with the product and its ETag.</summary>
    public static IResult Result(HttpResponse response, Versioned<Product> product, bool created = false)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(product);
        Preconditions.SetETag(response, product.ETag);
        if (created)
        {
            response.Headers.Location = Location(product.Value.Id);
        }

        return Results.Json(From(product.Value), ApiJson.Options, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }
}
