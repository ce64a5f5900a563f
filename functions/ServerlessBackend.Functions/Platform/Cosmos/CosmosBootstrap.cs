using System.Collections.ObjectModel;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;

namespace ServerlessBackend.Functions.Platform.Cosmos;

/// <summary>
/// Local-only: creates the database and containers from <see cref="CosmosModel"/> on an emulator.
/// Never used in Azure, where data-plane RBAC cannot create containers and infra/ provisions them.
/// </summary>
public static class CosmosBootstrap
{
    /// <summary>
    /// Over the REST API with a short-lived HttpClient and the emulator key, not a CosmosClient: one, once built, keeps its
    /// code, assemblies and threads for the process's life (disposing it gave back none of the worker's ~26 MiB;
    /// tests/README.md, "Worker memory at start"), and the app builds its own only when Cosmos is first used. The tests
    /// and the benchmark create their databases with it too, so the Cosmos DB emulator suite checks its requests.
    /// </summary>
    public static async Task EnsureCreatedAsync(Uri endpoint, string databaseName, bool allowUntrustedCertificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsLoopback)
        {
            throw new InvalidOperationException("The container bootstrap runs against a local emulator only; infra/ provisions Azure.");
        }

        var handler = new SocketsHttpHandler { UseProxy = false };
        if (allowUntrustedCertificate)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, errors) => CosmosClientFactory.AcceptsLocalCertificate(errors);
        }

        using var http = new HttpClient(handler) { BaseAddress = endpoint };
        await CreateAsync(http, "dbs", "", w => w.WriteString("id", databaseName), cancellationToken).ConfigureAwait(false);
        foreach (var spec in CosmosModel.Containers)
        {
            await CreateAsync(http, "colls", $"dbs/{databaseName}", w => Write(w, spec), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>POSTs a resource to its feed (master-key auth, as the Cosmos REST API documents it); an existing one (409) is fine.</summary>
    private static async Task CreateAsync(HttpClient http, string resourceType, string parentLink, Action<Utf8JsonWriter> body, CancellationToken cancellationToken)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        // Rate limited (429): as often as the app's client retries it, after the wait the server asks for.
        for (var attempt = 0; ; attempt++)
        {
            var date = DateTime.UtcNow.ToString("r", CultureInfo.InvariantCulture);
            using var key = new HMACSHA256(Convert.FromBase64String(CosmosClientFactory.EmulatorKey));
            var signature = Convert.ToBase64String(key.ComputeHash(Encoding.UTF8.GetBytes($"post\n{resourceType}\n{parentLink}\n{date.ToLowerInvariant()}\n\n")));
            using var request = new HttpRequestMessage(HttpMethod.Post, parentLink.Length == 0 ? resourceType : $"{parentLink}/{resourceType}")
            {
                Content = new ByteArrayContent(json.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            request.Headers.TryAddWithoutValidation("authorization", Uri.EscapeDataString($"type=master&ver=1.0&sig={signature}"));
            request.Headers.Add("x-ms-date", date);
            request.Headers.Add("x-ms-version", "2018-12-31");
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict)
            {
                return;
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 3)
            {
                var wait = response.Headers.TryGetValues("x-ms-retry-after-ms", out var values) && int.TryParse(values.First(), CultureInfo.InvariantCulture, out var ms) ? ms : 1000;
                await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken).ConfigureAwait(false);
                continue;
            }

            var answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"Creating {resourceType} under '/{parentLink}' on the local Cosmos server answered {(int)response.StatusCode}: {answer}");
        }
    }

    /// <summary>A container's properties as the REST API takes them (the names the SDK writes for <see cref="Properties"/>), without loading the SDK.</summary>
    private static void Write(Utf8JsonWriter w, ContainerSpec spec)
    {
        w.WriteString("id", spec.Name);
        w.WriteStartObject("partitionKey");
        w.WriteStartArray("paths");
        w.WriteStringValue(spec.PartitionKeyPath);
        w.WriteEndArray();
        w.WriteString("kind", "Hash");
        w.WriteEndObject();
        if (spec.DefaultTimeToLiveSeconds is { } ttl)
        {
            w.WriteNumber("defaultTtl", ttl);
        }

        var (included, excluded) = IndexedPaths(spec);
        w.WriteStartObject("indexingPolicy");
        w.WriteBoolean("automatic", true);
        w.WriteString("indexingMode", "consistent");
        WritePaths(w, "includedPaths", included);
        WritePaths(w, "excludedPaths", excluded);
        w.WriteStartArray("compositeIndexes");
        foreach (var index in spec.CompositeIndexes)
        {
            w.WriteStartArray();
            foreach (var path in index.Paths)
            {
                w.WriteStartObject();
                w.WriteString("path", path.Path);
                w.WriteString("order", path.Order);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WritePaths(Utf8JsonWriter w, string name, IEnumerable<string> paths)
    {
        w.WriteStartArray(name);
        foreach (var path in paths)
        {
            w.WriteStartObject();
            w.WriteString("path", path);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public static ContainerProperties Properties(ContainerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var properties = new ContainerProperties(spec.Name, spec.PartitionKeyPath)
        {
            DefaultTimeToLive = spec.DefaultTimeToLiveSeconds,
            IndexingPolicy = new IndexingPolicy { Automatic = true, IndexingMode = IndexingMode.Consistent },
        };
        var (included, excluded) = IndexedPaths(spec);
        foreach (var path in included)
        {
            properties.IndexingPolicy.IncludedPaths.Add(new IncludedPath { Path = path });
        }

        foreach (var path in excluded)
        {
            properties.IndexingPolicy.ExcludedPaths.Add(new ExcludedPath { Path = path });
        }

        foreach (var index in spec.CompositeIndexes)
        {
            properties.IndexingPolicy.CompositeIndexes.Add(new Collection<CompositePath>(
                [.. index.Paths.Select(p => new CompositePath { Path = p.Path, Order = p.Descending ? CompositePathSortOrder.Descending : CompositePathSortOrder.Ascending })]));
        }

        return properties;
    }

    /// <summary>Everything indexed but the spec's excluded paths, or, when it excludes "/*", nothing.</summary>
    private static (IReadOnlyList<string> Included, IReadOnlyList<string> Excluded) IndexedPaths(ContainerSpec spec) =>
        spec.ExcludedPaths.Contains("/*")
            ? ([], [.. spec.ExcludedPaths.Where(p => p != "/*"), "/*"])
            : (["/*"], spec.ExcludedPaths);
}
