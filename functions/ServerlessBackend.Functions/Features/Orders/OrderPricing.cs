using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>Prices an order's lines from the catalog when it is placed.</summary>
public static class OrderPricing
{
    /// <summary>
    /// The lines at the catalog's prices, or a 422 naming each line whose product is missing or inactive, or the mixed
    /// currencies; <paramref name="catalog"/> is what the store found of the lines' products.
    /// </summary>
    public static Outcome<List<OrderLine>> Price(List<OrderLineRequest> lines, IReadOnlyList<Product> catalog)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(catalog);
        var byId = catalog.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var errors = new FieldErrors();
        var priced = new List<OrderLine>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (byId.TryGetValue(lines[i].ProductId!, out var product) && product.Active)
            {
                priced.Add(OrderLine.Priced(product.Id, product.Name, lines[i].Quantity!.Value, product.Price));
            }
            else
            {
                errors.Add($"lines[{i}].productId", "There is no active product with this id.");
            }
        }

        if (errors.IsEmpty && catalog.Select(p => p.Currency).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            errors.Add("lines", "All products of one order must have the same currency.");
        }

        return errors.IsEmpty ? Outcome.Ok(priced) : errors.ToError() with { Kind = ProblemKind.Unprocessable, Detail = "The order cannot be priced; see errors." };
    }
}
