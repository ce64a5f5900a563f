using System.Net;
using System.Security.Authentication;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Platform.Cosmos;

/// <summary>
/// The app's own registration against the local Cosmos protocol server that `functions/run-local.sh` starts
/// (self-signed certificate), without the test fixture's certificate bypass.
/// </summary>
public sealed class LocalCosmosServerTests(CosmosServerFixture server) : IClassFixture<CosmosServerFixture>
{
    private Uri Endpoint => new($"https://127.0.0.1:{server.Port}/");

    [Fact]
    public async Task With_the_opt_in_the_apps_client_bootstraps_the_containers_and_reads_and_writes()
    {
        var database = $"local-{Guid.NewGuid():N}";
        await using var provider = AppCosmos.ComposeLocal(Endpoint, database, allowUntrustedCertificate: true);

        await AppCosmos.StartAsync(provider, CancellationToken.None);
        await provider.GetRequiredService<IReadinessCheck>().CheckAsync(CancellationToken.None);
        var products = provider.GetRequiredService<CosmosContainers>().Products;
        await products.CreateItemAsync(new LocalItem("sku-1", "shop-1", "beans"), new PartitionKey("shop-1"));
        var read = await products.ReadItemAsync<LocalItem>("sku-1", new PartitionKey("shop-1"));

        Assert.Equal(new LocalItem("sku-1", "shop-1", "beans"), read.Resource);
        var created = await server.Client.GetDatabase(database).GetContainer(CosmosModel.Orders.Name).ReadContainerAsync();
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        foreach (var spec in CosmosModel.Containers)
        {
            // The start-up bootstrap writes the containers over REST: what the server holds is what the SDK would create.
            ContainerProperties actual = await server.Client.GetDatabase(database).GetContainer(spec.Name).ReadContainerAsync();
            Assert.Equal(Shape(CosmosBootstrap.Properties(spec)), Shape(actual));
        }
    }

    [Fact]
    public async Task Without_the_opt_in_tls_validation_refuses_the_self_signed_certificate()
    {
        var database = $"local-{Guid.NewGuid():N}";
        await using var provider = AppCosmos.ComposeLocal(Endpoint, database, allowUntrustedCertificate: false);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => AppCosmos.StartAsync(provider, CancellationToken.None));

        Assert.Contains(Chain(refused), e => e is AuthenticationException);
        var missing = await Assert.ThrowsAsync<CosmosException>(() => server.Client.GetDatabase(database).ReadAsync());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_server_refuses_a_request_not_signed_with_the_emulators_key_as_the_emulator_does()
    {
        // The app's REST bootstrap signs by hand: the test above proves its signature only because the server checks it.
        var otherKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
        using var client = new CosmosClient(Endpoint.ToString(), otherKey, new CosmosClientOptions
        {
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
            HttpClientFactory = () => new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator }),
        });

        var refused = await Assert.ThrowsAsync<CosmosException>(() => client.GetDatabase(server.DatabaseName).ReadAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private static string Shape(ContainerProperties c) => string.Join(" | ",
        c.Id, c.PartitionKeyPath, c.DefaultTimeToLive, c.IndexingPolicy.Automatic, c.IndexingPolicy.IndexingMode,
        string.Join(",", c.IndexingPolicy.IncludedPaths.Select(p => p.Path)),
        string.Join(",", c.IndexingPolicy.ExcludedPaths.Select(p => p.Path)),
        string.Join(";", c.IndexingPolicy.CompositeIndexes.Select(i => string.Join(",", i.Select(p => $"{p.Path} {p.Order}")))));

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private sealed record LocalItem(string Id, string TenantId, string Name);
}
