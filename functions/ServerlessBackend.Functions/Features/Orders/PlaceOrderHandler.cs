using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Functions.Shared.Metrics;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>
/// The placed order. On a replay, <see cref="Order"/> is the order as first placed; when it has changed since,
/// <see cref="ETag"/> is null, because the stored version's ETag does not describe that representation.
/// </summary>
public sealed record PlacedOrder(Order Order, string? ETag, bool Replayed);

/// <summary>
/// A customer places an order. Idempotent without a separate key store: the order id is derived from (tenant,
/// customer, Idempotency-Key), and what that id holds answers every attempt but the first. So a retry is decided
/// first, before any check that only the first attempt had to pass (the body rules of its day, the token's email,
/// the catalog as it was): the stored request hash tells a true retry (same body: the first outcome again) from a
/// reused key (another body: 422). A first attempt writes its outcome at that id with one create: the order, or,
/// when it is refused for something outside its body (no contact email, a product the catalog cannot price, a total
/// the payment provider would refuse: see <see cref="PaymentLimits"/>), a
/// <see cref="RefusedPlacement"/>. Concurrent attempts race on that one create; the loser gets a 409 from Cosmos and
/// answers what the winner wrote, so no attempt is ever told the opposite of another's outcome.
/// </summary>
public sealed class PlaceOrderHandler(IOrderStore orders, IProductLookup products, IOrderOutbox outbox, TimeProvider clock, AppMetrics metrics)
{
    public async Task<Outcome<PlacedOrder>> HandleAsync(Caller caller, string idempotencyKey, PlaceOrderRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        if (CallerRules.RequireUser(caller) is { } notAUser)
        {
            return notAUser;
        }

        var orderId = OrderId(caller, idempotencyKey);
        var requestHash = Hash(request);
        if (await orders.GetPlacementAsync(caller.TenantId, orderId, cancellationToken) is { } earlier)
        {
            return Replay(earlier, requestHash);
        }

        // A mistake in the body itself is not recorded: every attempt with this body gets the same 400, and the
        // client may fix the body and keep its key.
        var errors = request.Validate();
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var contactEmail = request.ContactEmail ?? caller.Email;
        if (contactEmail is null || !ContactEmail.IsAcceptable(contactEmail))
        {
            return await RefuseAsync(caller, orderId, requestHash, ApiError.Field("contactEmail", "Required when the token carries no usable email address."), cancellationToken);
        }

        var lines = request.Lines!.Select(l => l!).ToList();
        var catalog = await products.GetManyAsync(caller.TenantId, lines.Select(l => l.ProductId!).ToList(), cancellationToken);
        var priced = OrderPricing.Price(lines, catalog);
        if (priced.Error is { } unpriceable)
        {
            return await RefuseAsync(caller, orderId, requestHash, unpriceable, cancellationToken);
        }

        var order = OrderTrace.Stamp(Order.Place(
            orderId, caller.TenantId, caller.UserId, contactEmail, priced.Value!, catalog[0].Currency, requestHash, clock.GetUtcNow(),
            Activity.Current?.TraceId.ToString(), request.PaymentMethod));
        if (PaymentLimits.Describe(PaymentLimits.Check(order.Total, order.Currency), order.Currency) is { } unpayable)
        {
            return await RefuseAsync(caller, orderId, requestHash, new ApiError(ProblemKind.Unprocessable, unpayable), cancellationToken);
        }

        try
        {
            var etag = await orders.CreateAsync(order, cancellationToken);
            metrics.OrderPlaced(order.TenantId);
            var placed = await outbox.PublishAfterWriteAsync(new Versioned<Order>(order, etag), cancellationToken);
            return Outcome.Ok(new PlacedOrder(placed.Value, placed.ETag, Replayed: false));
        }
        catch (DocumentConflictException)
        {
            return await ReplayWinnerAsync(caller.TenantId, orderId, requestHash, cancellationToken);
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
    public static string Hash(PlaceOrderRequest request) => Idempotency.Hash(request);

    /// <summary>Records the refusal at the order id, so a concurrent attempt that priced the order earlier cannot still create it.</summary>
    private async Task<Outcome<PlacedOrder>> RefuseAsync(Caller caller, string orderId, string requestHash, ApiError refusal, CancellationToken cancellationToken)
    {
        var refused = new RefusedPlacement
        {
            Id = orderId,
            TenantId = caller.TenantId,
            CustomerId = caller.UserId,
            RequestHash = requestHash,
            RefusedAt = clock.GetUtcNow(),
            Refusal = refusal,
        };
        try
        {
            await orders.CreateRefusalAsync(refused, cancellationToken);
            return refusal;
        }
        catch (DocumentConflictException)
        {
            return await ReplayWinnerAsync(caller.TenantId, orderId, requestHash, cancellationToken);
        }
    }

    /// <summary>Another attempt wrote at this id first (its create was answered 409): answer what it wrote.</summary>
    private async Task<Outcome<PlacedOrder>> ReplayWinnerAsync(string tenantId, string orderId, string requestHash, CancellationToken cancellationToken)
    {
        var winner = await orders.GetPlacementAsync(tenantId, orderId, cancellationToken)
            ?? throw new InvalidOperationException($"Order {orderId} conflicted on create but cannot be read.");
        return Replay(winner, requestHash);
    }

    private static Outcome<PlacedOrder> Replay(Placement earlier, string requestHash)
    {
        var (order, refused) = earlier;
        if (!string.Equals(order?.Value.RequestHash ?? refused!.RequestHash, requestHash, StringComparison.Ordinal))
        {
            return new ApiError(ProblemKind.Unprocessable, "This Idempotency-Key was already used with a different request body.");
        }

        if (order is null)
        {
            return refused!.Refusal;
        }

        var unchanged = order.Value.StatusHistory.Count == 1;
        return Outcome.Ok(new PlacedOrder(order.Value.AsPlaced(), unchanged ? order.ETag : null, Replayed: true));
    }
}
