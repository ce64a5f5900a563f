using System.Text.Json.Nodes;
using ServerlessBackend.Functions.Domain.Catalog;

namespace ServerlessBackend.Functions.Shared.Catalog;

/// <summary>
/// The reservation ledger each product document carries next to its stock (written by fulfillment's stock
/// store, created with the product by the catalog): <c>reservations</c> maps an order id to the quantity it
/// holds, <c>settled</c> is the <see cref="TombstoneSlot.Count"/> tombstone slots, each
/// <c>{ "epoch": n, "orders": { orderId: quantity } }</c>. Both are excluded from indexing (CosmosModel):
/// only the filter predicates of the stock store's patches read them, on the one document.
/// </summary>
public static class StockLedger
{
    public const string Reservations = "reservations";

    public const string Settled = "settled";

    /// <summary>
    /// The product document <paramref name="product"/> with an empty ledger whose slots hold the epochs up to
    /// <paramref name="now"/>'s, so settlements in the product's first epoch go straight into their slot.
    /// </summary>
    public static JsonObject WithEmptyLedger(JsonObject product, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(product);
        product[Reservations] = new JsonObject();
        product[Settled] = EmptySlots(now);
        return product;
    }

    /// <summary>Empty tombstone slots, slot i holding the latest epoch up to <paramref name="now"/>'s that maps to it.</summary>
    public static JsonArray EmptySlots(DateTimeOffset now)
    {
        var current = StockReservation.SlotAt(now);
        return [.. Enumerable.Range(0, TombstoneSlot.Count).Select(i => Slot(current.Epoch - ((current.Index - i + TombstoneSlot.Count) % TombstoneSlot.Count), new Dictionary<string, int>()))];
    }

    public static JsonObject Slot(long epoch, IReadOnlyDictionary<string, int> orders) => new()
    {
        ["epoch"] = epoch,
        ["orders"] = new JsonObject(orders.Select(o => KeyValuePair.Create(o.Key, (JsonNode?)o.Value))),
    };
}
