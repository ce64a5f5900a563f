
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Shared.Orders;

/// <summary>
/// An order attempt refused for something outside its body (the catalog could not price it, or no contact email was
/// known), stored in the orders container at the id of the order it would have created. The order and this record
/// are one document id, so for one (tenant, customer, Idempotency-Key) exactly one of them is ever written: overlapping
/// attempts agree on whichever was written first, and every retry answers it again. It is not an order: order reads
/// and lists never return it (its <see cref="Refusal"/> property tells it apart).
/// </summary>
public sealed record RefusedPlacement
{
    public required string Id { get; init; }

    public required string TenantId { get; init; }

    public required string CustomerId { get; init; }

    /// <summary>The same hash an order records: a retry with another body is a reused key (422), not this refusal.</summary>
    public required string RequestHash { get; init; }

    public required DateTimeOffset RefusedAt { get; init; }

    /// <summary>The problem the attempt answered, answered again to every retry.</summary>
    public required ApiError Refusal { get; init; }
}

/// <summary>What an order id holds: the order, or the record of the attempt refused there.</summary>
public sealed record Placement(Platform.Cosmos.Versioned<Domain.Orders.Order>? Order, RefusedPlacement? Refused);
