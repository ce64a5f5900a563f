using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Shared.Audit;

/// <summary>
/// The entries live beside what they describe (products, orders and tenants containers, see <see cref="AuditTrail"/>), so
/// a page is a merge: each container is asked for up to a page of its newest entries before its position, newest first
/// by id (the id starts with the time, and ids are always indexed), and the page takes the newest of all. The
/// continuation token holds the position reached in each container (the last id taken from it, empty when not started,
/// <see cref="Exhausted"/> when it has no more), so a page costs one query per container that can still answer, and a
/// resource type filter asks only the container that holds that type.
/// </summary>
public sealed class CosmosAuditLog(CosmosContainers containers) : IAuditLog
{
    private const string Exhausted = "~";

    /// <summary>The containers in token order, with the resource types whose entries each holds.</summary>
    private static readonly (Func<CosmosContainers, Container> Container, string[] ResourceTypes)[] Sources =
    [
        (c => c.Products, ["product"]),
        (c => c.Orders, ["order"]),
        (c => c.Tenants, ["tenant", "subscription"]),
    ];

    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return CosmosErrors.Translate(entry.Id, async () =>
            await containers.Tenants.CreateItemAsync(entry, new PartitionKey(entry.TenantId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false));
    }

    public async Task<Page<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var positions = Positions(query.ContinuationToken);
        var reads = new List<(int Source, List<AuditEntry> Entries, bool Complete)>();
        for (var source = 0; source < Sources.Length; source++)
        {
            if (positions[source] == Exhausted || (query.ResourceType is { } type && !Sources[source].ResourceTypes.Contains(type)))
            {
                positions[source] = Exhausted;
                continue;
            }

            var (entries, complete) = await ReadAsync(Sources[source].Container(containers), query, positions[source], cancellationToken).ConfigureAwait(false);
            reads.Add((source, entries, complete));
        }

        var page = reads.SelectMany(r => r.Entries).OrderByDescending(e => e.Id, StringComparer.Ordinal).Take(query.PageSize).ToList();
        foreach (var (source, entries, complete) in reads)
        {
            var taken = entries.Count(page.Contains);
            if (taken > 0)
            {
                positions[source] = entries[taken - 1].Id;
            }

            if (complete && taken == entries.Count)
            {
                positions[source] = Exhausted;
            }
        }

        return new Page<AuditEntry>(page, positions.All(p => p == Exhausted) ? null : string.Join('|', positions));
    }

    private static string[] Positions(string? token)
    {
        if (token is null)
        {
            return ["", "", ""];
        }

        var positions = token.Split('|');
        if (positions.Length != Sources.Length || !positions.All(p => p is "" or Exhausted || p.StartsWith(AuditEntry.IdPrefix, StringComparison.Ordinal)))
        {
            throw new InvalidContinuationTokenException(new FormatException("Not an audit position."));
        }

        return positions;
    }

    /// <summary>Up to a page of one container's entries before <paramref name="position"/>; complete when fewer came (none is left after them).</summary>
    private static Task<(List<AuditEntry> Entries, bool Complete)> ReadAsync(Container container, AuditQuery query, string position, CancellationToken cancellationToken) =>
        CosmosErrors.Translate("audit", async () =>
        {
            // TOP a page: the position, not the service's continuation token, says where the next page starts.
            var text = "SELECT TOP @top * FROM c WHERE c.tenantId = @tenantId AND c.type = @type";
            var parameters = new List<(string, object)> { ("@top", query.PageSize), ("@tenantId", query.TenantId), ("@type", AuditEntry.DocumentType) };
            void Filter(string clause, string name, object? value)
            {
                if (value is not null)
                {
                    text += " AND " + clause;
                    parameters.Add((name, value));
                }
            }

            Filter("c.resource.type = @resourceType", "@resourceType", query.ResourceType);
            Filter("c.resource.id = @resourceId", "@resourceId", query.ResourceId);
            Filter("c.id >= @from", "@from", query.From is { } from ? AuditEntry.IdPrefix + AuditEntry.TimeKey(from) : null);
            Filter("c.id < @to", "@to", query.To is { } to ? AuditEntry.IdPrefix + AuditEntry.TimeKey(to) : null);
            Filter("c.id < @position", "@position", position.Length > 0 ? position : null);
            var definition = new QueryDefinition(text + " ORDER BY c.id DESC");
            foreach (var (name, value) in parameters)
            {
                definition = definition.WithParameter(name, value);
            }

            var options = new QueryRequestOptions { PartitionKey = new PartitionKey(query.TenantId), MaxItemCount = query.PageSize, EnableOptimisticDirectExecution = true };
            using var iterator = container.GetItemQueryIterator<AuditEntry>(definition, requestOptions: options);
            var entries = new List<AuditEntry>();
            while (iterator.HasMoreResults)
            {
                entries.AddRange(await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false));
            }

            return (entries, entries.Count < query.PageSize);
        });
}
