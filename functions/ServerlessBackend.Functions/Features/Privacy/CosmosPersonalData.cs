using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Privacy;

/// <summary>
/// Where one customer's data sits, as stored. The orders container holds their orders and refused order attempts
/// (both carry the customer id: one query of the tenant's partition finds them); the notifications container holds a
/// record per email sent about those orders (ids and outcomes, no address; read by id). Products, tenants and webhooks
/// hold nothing about customers.
/// </summary>
public sealed class CosmosPersonalData(CosmosContainers containers)
{
    private static readonly string[] SystemProperties = ["_rid", "_self", "_etag", "_attachments", "_ts"];

    /// <summary>Every document of the orders container with this customer id (orders and refused attempts), with its ETag.</summary>
    public async Task<IReadOnlyList<Versioned<JsonObject>>> CustomerDocumentsAsync(string tenantId, string customerId, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.tenantId = @tenantId AND c.customerId = @customerId")
            .WithParameter("@tenantId", tenantId)
            .WithParameter("@customerId", customerId);
        var options = new QueryRequestOptions { PartitionKey = new PartitionKey(tenantId), MaxItemCount = 100 };
        return await CosmosErrors.Translate("personal data", async () =>
        {
            var documents = new List<Versioned<JsonObject>>();
            using var iterator = containers.Orders.GetItemQueryIterator<JsonObject>(query, requestOptions: options);
            while (iterator.HasMoreResults)
            {
                foreach (var document in await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    documents.Add(new Versioned<JsonObject>(document, (string?)document["_etag"] ?? ""));
                }
            }

            return documents;
        }).ConfigureAwait(false);
    }

    /// <summary>The notification records of an order's emails, as stored.</summary>
    public async Task<IReadOnlyList<JsonObject>> NotificationsAsync(string tenantId, string orderId, CancellationToken cancellationToken)
    {
        var records = new List<JsonObject>();
        foreach (var type in MessagingTopology.EmailEventTypes)
        {
            if (await CosmosErrors.ReadJsonOrNull(containers.Notifications, Order.EventId(orderId, type), tenantId, cancellationToken).ConfigureAwait(false) is { } json)
            {
                records.Add(WithoutSystemProperties(JsonNode.Parse(json.Value)!.AsObject()));
            }
        }

        return records;
    }

    /// <summary>Replaces a document at its ETag (a refused attempt being pseudonymised); false when it changed or is gone meanwhile.</summary>
    public async Task<bool> TryReplaceAsync(string tenantId, Versioned<JsonObject> document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var id = (string)document.Value["id"]!;
        try
        {
            await containers.Orders.ReplaceItemAsync(
                document.Value, id, new PartitionKey(tenantId), new ItemRequestOptions { IfMatchEtag = document.ETag, EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (Exception e) when (CosmosErrors.Unavailable(e) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <summary>A copy without Cosmos's own bookkeeping properties (what the tenant holds, not how Cosmos stores it).</summary>
    public static JsonObject WithoutSystemProperties(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var copy = document.DeepClone().AsObject();
        foreach (var name in SystemProperties)
        {
            copy.Remove(name);
        }

        return copy;
    }

    public static bool IsRefusedAttempt(JsonObject document) => document?.ContainsKey("refusal") == true;

    public static JsonElement ToElement(JsonObject document) => JsonSerializer.SerializeToElement(document);
}
