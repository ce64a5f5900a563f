using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moq;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Platform.Cosmos;

/// <summary>Nothing creates Cosmos resources in Azure, the emulator key never reaches a real account, and certificates are skipped only for a local server in Development.</summary>
public sealed class CosmosSetupTests
{
    [Fact]
    public void An_azure_endpoint_gets_an_identity_client_and_no_bootstrap()
    {
        using var provider = Compose("https://contoso.documents.azure.com:443/", Environments.Production);

        var client = provider.GetRequiredService<CosmosClient>();

        Assert.Null(client.ClientOptions.ServerCertificateCustomValidationCallback);

        Assert.Empty(provider.GetServices<IHostedService>());
        Assert.Equal(ConnectionMode.Direct, client.ClientOptions.ConnectionMode);
        Assert.IsType<CosmosJsonSerializer>(client.ClientOptions.Serializer);
        Assert.False(client.ClientOptions.EnableContentResponseOnWrite);
        Assert.Same(client, provider.GetRequiredService<CosmosClient>());
    }

    [Fact]
    public void A_loopback_endpoint_gets_the_local_bootstrap_in_development_and_is_refused_elsewhere()
    {
        using var development = Compose("https://127.0.0.1:8081/", Environments.Development);

        var client = development.GetRequiredService<CosmosClient>();

        Assert.Single(development.GetServices<IHostedService>());
        Assert.Equal(ConnectionMode.Gateway, client.ClientOptions.ConnectionMode);
        Assert.True(client.ClientOptions.LimitToEndpoint);
        Assert.Null(client.ClientOptions.ServerCertificateCustomValidationCallback);
        Assert.Throws<InvalidOperationException>(() => Compose("https://127.0.0.1:8081/", Environments.Production));
        Assert.Throws<InvalidOperationException>(() => CosmosClientFactory.Create(new Uri("https://127.0.0.1:8081/"), Mock.Of<TokenCredential>(), isDevelopment: false));
    }

    [Fact]
    public void The_certificate_opt_in_is_refused_for_an_endpoint_that_is_not_loopback()
    {
        var startup = Assert.Throws<InvalidOperationException>(() => Compose("https://contoso.documents.azure.com:443/", Environments.Development, allowUntrustedLoopbackCertificate: true));
        var factory = Assert.Throws<InvalidOperationException>(() => CosmosClientFactory.Create(
            new Uri("https://contoso.documents.azure.com:443/"), Mock.Of<TokenCredential>(), isDevelopment: true, allowUntrustedLoopbackCertificate: true));

        Assert.Contains(AppSettings.CosmosAllowUntrustedLoopbackCertificate, startup.Message, StringComparison.Ordinal);
        Assert.Contains("not a loopback endpoint", factory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_certificate_opt_in_is_refused_outside_development()
    {
        var startup = Assert.Throws<InvalidOperationException>(() => Compose("https://127.0.0.1:8081/", Environments.Production, allowUntrustedLoopbackCertificate: true));

        Assert.Contains($"{AppSettings.CosmosAllowUntrustedLoopbackCertificate} is set outside Development", startup.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_certificate_opt_in_on_a_loopback_endpoint_in_development_accepts_a_self_signed_certificate_only()
    {
        using var provider = Compose("https://127.0.0.1:8081/", Environments.Development, allowUntrustedLoopbackCertificate: true);

        var client = provider.GetRequiredService<CosmosClient>();
        var accepts = client.ClientOptions.ServerCertificateCustomValidationCallback;

        Assert.NotNull(accepts);
        Assert.True(client.ClientOptions.LimitToEndpoint);
        using var certificate = SelfSigned();
        using var chain = new X509Chain();
        Assert.True(accepts(certificate, chain, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(accepts(certificate, chain, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public async Task The_bootstrap_refuses_a_non_loopback_account()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => CosmosBootstrap.EnsureCreatedAsync(new Uri("https://contoso.documents.azure.com:443/"), "db", allowUntrustedCertificate: false, CancellationToken.None));
    }

    [Fact]
    public void Container_properties_come_from_CosmosModel()
    {
        var orders = CosmosBootstrap.Properties(CosmosModel.Orders);
        var notifications = CosmosBootstrap.Properties(CosmosModel.Notifications);

        Assert.Equal(("orders", "/tenantId"), (orders.Id, orders.PartitionKeyPath));
        Assert.Equal(["/lines/*", "/statusHistory/*", "/outbox/*", "/payment/*", "/refunds/*", "/before/*", "/after/*"], orders.IndexingPolicy.ExcludedPaths.Select(p => p.Path));
        Assert.Equal(-1, orders.DefaultTimeToLive); // TTL on, nothing expires unless it says so (audit entries do)
        Assert.Equal(["/*"], orders.IndexingPolicy.IncludedPaths.Select(p => p.Path));
        Assert.Equal(
            [
                "/tenantId ASC, /createdAt DESC",
                "/tenantId ASC, /customerId ASC, /createdAt DESC",
                "/tenantId ASC, /status ASC, /createdAt DESC",
                "/tenantId ASC, /customerId ASC, /status ASC, /createdAt DESC",
            ],
            orders.IndexingPolicy.CompositeIndexes.Select(index => string.Join(", ", index.Select(p => $"{p.Path} {(p.Order == CompositePathSortOrder.Descending ? "DESC" : "ASC")}"))));
        Assert.Empty(notifications.IndexingPolicy.CompositeIndexes);
        Assert.Equal(30 * 24 * 3600, notifications.DefaultTimeToLive);
        Assert.Empty(notifications.IndexingPolicy.IncludedPaths);
    }

    [Theory]
    [InlineData(false, false, "ORDER BY c.tenantId ASC, c.createdAt DESC")]
    [InlineData(true, false, "ORDER BY c.tenantId ASC, c.customerId ASC, c.createdAt DESC")]
    [InlineData(false, true, "ORDER BY c.tenantId ASC, c.status ASC, c.createdAt DESC")]
    [InlineData(true, true, "ORDER BY c.tenantId ASC, c.customerId ASC, c.status ASC, c.createdAt DESC")]
    public void Each_orders_list_orders_by_its_equality_filters_first_then_newest_first(bool byCustomer, bool byStatus, string orderBy)
    {
        Assert.Equal(orderBy, CosmosModel.OrderLists.For(byCustomer, byStatus).OrderByClause("c"));
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=cosmosdb", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static ServiceProvider Compose(string endpoint, string environment, bool allowUntrustedLoopbackCertificate = false) =>
        AppCosmos.Compose(environment, new Dictionary<string, string?>
        {
            [AppSettings.CosmosAccountEndpoint] = endpoint,
            [AppSettings.CosmosDatabaseName] = "serverless-backend",
            [AppSettings.CosmosAllowUntrustedLoopbackCertificate] = allowUntrustedLoopbackCertificate ? "true" : null,
        });
}
