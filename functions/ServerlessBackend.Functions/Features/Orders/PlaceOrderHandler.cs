using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Http;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>
/// The placed order. On a replay, <see cref="Order"/> is the order as first placed; when it has changed since,
/// <see cref="ETag"/> is null, because the stored version's ETag does not describe that representation.
/// </summary>
public sealed record PlacedOrder(Order Order, string? ETag, bool Replayed);

/// <summary>
/// A customer places an order. Idempotent without a separate key store: the order id is derived from
/// (tenant, customer, Idempotency-Key), so the create is one conditional write and a retry or a concurrent
/// duplicate is a 409 from Cosmos; the stored request hash then tells a true retry (same body: the original
/// 201 again) from a reused key (different body: 422).
/// </summary>
public sealed class PlaceOrderHandler(IOrderStore orders, IProductStore products, IOrderOutbox outbox, TimeProvider clock)
{
    public async Task<Outcome<PlacedOrder>> HandleAsync(Caller caller, string idempotencyKey, PlaceOrderRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var errors = request.Validate();
        var contactEmail = request.ContactEmail ?? caller.Email;
        if (contactEmail is null || !ContactEmail.IsAcceptable(contactEmail))
        {
            errors.Add("contactEmail", "Required when the token carries no usable email address.");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var orderId = OrderId(caller, idempotencyKey);
        var requestHash = Hash(request);
        var lines = request.Lines!.Select(l => l!).ToList();
        var catalog = await products.GetManyAsync(caller.TenantId, lines.Select(l => l.ProductId!).ToList(), cancellationToken);
        var priced = Price(lines, catalog);
        if (priced.Error is { } unpriceable)
        {
            // The products may have changed since a first attempt that did succeed: a retry must still replay it.
            return await ExistingAsync(caller.TenantId, orderId, requestHash, cancellationToken) ?? unpriceable;
        }

        var order = Order.Place(orderId, caller.TenantId, caller.UserId, contactEmail!, priced.Value!, catalog[0].Currency, requestHash, clock.GetUtcNow(), Activity.Current?.TraceId.ToString());
        try
        {
            var etag = await orders.CreateAsync(order, cancellationToken);
            var placed = await outbox.PublishAfterWriteAsync(new Versioned<Order>(order, etag), cancellationToken);
            return Outcome.Ok(new PlacedOrder(placed.Value, placed.ETag, Replayed: false));
        }
        catch (DocumentConflictException)
        {
            return await ExistingAsync(caller.TenantId, orderId, requestHash, cancellationToken)
                ?? throw new InvalidOperationException($"Order {orderId} conflicted on create but cannot be read.");
        }
    }

    /// <summary>"ord-" and 32 hex digits of SHA-256 over tenant, customer and key: the same attempt always maps to the same id.</summary>
    public static string OrderId(Caller caller, string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{caller.TenantId}\n{caller.UserId}\n{idempotencyKey}"));
        return "ord-" + Convert.ToHexStringLower(digest)[..32];
    }

    /// <summary>Hash of the request's meaning (not its bytes): whitespace and property order do not matter.</summary>
    public static string Hash(PlaceOrderRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, ApiJson.Options)));

    private async Task<Outcome<PlacedOrder>?> ExistingAsync(string tenantId, string orderId, string requestHash, CancellationToken cancellationToken)
    {
        var existing = await orders.GetAsync(tenantId, orderId, cancellationToken);
        if (existing is null)
        {
            return null;
        }

        if (!string.Equals(existing.Value.RequestHash, requestHash, StringComparison.Ordinal))
        {
            return new ApiError(ProblemKind.Unprocessable, "This Idempotency-Key was already used with a different request body.");
        }

        var unchanged = existing.Value.StatusHistory.Count == 1;
        return Outcome.Ok(new PlacedOrder(existing.Value.AsPlaced(), unchanged ? existing.ETag : null, Replayed: true));
    }

    private static Outcome<List<OrderLine>> Price(List<OrderLineRequest> lines, IReadOnlyList<Domain.Catalog.Product> catalog)
    {
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
