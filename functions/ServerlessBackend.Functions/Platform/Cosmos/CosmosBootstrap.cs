using System.Collections.ObjectModel;
using Microsoft.Azure.Cosmos;

namespace ServerlessBackend.Functions.Platform.Cosmos;

/// <summary>
/// Local-only: creates the database and containers from <see cref="CosmosModel"/> on an emulator.
/// Never used in Azure, where data-plane RBAC cannot create containers and infra/ provisions them.
/// </summary>
public static class CosmosBootstrap
{
    public static async Task EnsureCreatedAsync(CosmosClient client, string databaseName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!client.Endpoint.IsLoopback)
        {
            throw new InvalidOperationException("The container bootstrap runs against a local emulator only; infra/ provisions Azure.");
        }

        Database database = await client.CreateDatabaseIfNotExistsAsync(databaseName, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var spec in CosmosModel.Containers)
        {
            await database.CreateContainerIfNotExistsAsync(Properties(spec), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public static ContainerProperties Properties(ContainerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var properties = new ContainerProperties(spec.Name, spec.PartitionKeyPath)
        {
            DefaultTimeToLive = spec.DefaultTimeToLiveSeconds,
            IndexingPolicy = new IndexingPolicy { Automatic = true, IndexingMode = IndexingMode.Consistent },
        };
        properties.IndexingPolicy.IncludedPaths.Add(new IncludedPath { Path = "/*" });
        foreach (var path in spec.ExcludedPaths.Where(p => p != "/*"))
        {
            properties.IndexingPolicy.ExcludedPaths.Add(new ExcludedPath { Path = path });
        }

        if (spec.ExcludedPaths.Contains("/*"))
        {
            properties.IndexingPolicy.IncludedPaths.Clear();
            properties.IndexingPolicy.ExcludedPaths.Add(new ExcludedPath { Path = "/*" });
        }

        foreach (var index in spec.CompositeIndexes)
        {
            properties.IndexingPolicy.CompositeIndexes.Add(new Collection<CompositePath>(
                [.. index.Paths.Select(p => new CompositePath { Path = p.Path, Order = p.Descending ? CompositePathSortOrder.Descending : CompositePathSortOrder.Ascending })]));
        }

        return properties;
    }
}
