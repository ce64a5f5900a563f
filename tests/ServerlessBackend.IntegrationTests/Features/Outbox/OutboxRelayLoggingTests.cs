using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ServerlessBackend.Functions.Features.Outbox;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Outbox;

/// <summary>
/// What a relay run logs while Service Bus is unreachable: the app's messaging composition (AddMessaging, AddOutbox) with
/// a real ServiceBusClient against a closed 127.0.0.1 port, the Azure SDK's logs forwarded to ILogger as in the app,
/// and the real order adapter.
/// </summary>
public sealed class OutboxRelayLoggingTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    [Fact]
    public async Task With_Service_Bus_unreachable_a_relay_run_logs_one_warning_summary_without_a_stack_trace_and_nothing_from_the_sdk()
    {
        using var app = new Downstream(cosmos);
        for (var i = 0; i < 5; i++)
        {
            await app.PlacedAsync(("SKU-A", 1));
        }

        app.Clock.Advance(OutboxRelayHandler.Delay + TimeSpan.FromSeconds(1));
        await using var provider = Compose(app, out var logs);

        var published = await provider.GetRequiredService<OutboxRelayHandler>().RunAsync(CancellationToken.None);

        var records = logs.GetSnapshot();
        var lines = records.Sum(r => r.Message.Split('\n').Length + (r.Exception?.ToString().Split('\n').Length ?? 0));
        Assert.Equal(0, published);
        Assert.True(records.Count == 1, $"{records.Count} records, {lines} lines: {string.Join(" | ", records.Select(r => $"{r.Level} {r.Category}"))}");
        Assert.DoesNotContain(records, r => r.Category?.StartsWith("Azure", StringComparison.Ordinal) == true);
        var summary = records[0];
        Assert.Equal((LogLevel.Warning, null, 1), (summary.Level, summary.Exception, lines));
        Assert.Equal(
            "Outbox relay: 5 order(s) with stale events, 0 event(s) published, 5 order(s) failed (5 x Service Bus is unavailable (ServiceCommunicationProblem)); the next run retries them",
            summary.Message);
        Assert.Equal(5, (await app.Orders.FindWithPendingEventsAsync(app.Clock.GetUtcNow(), DateTimeOffset.MaxValue, 10, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task With_Service_Bus_unreachable_a_publish_right_after_a_write_logs_one_warning_without_a_stack_trace()
    {
        using var app = new Downstream(cosmos);
        var order = await app.PlacedAsync(("SKU-A", 1));
        await using var provider = Compose(app, out var logs);

        var written = (await app.Orders.GetAsync(app.Tenant, order.Id, CancellationToken.None))!;
        await provider.GetRequiredService<IOrderOutbox>().PublishAfterWriteAsync(written, CancellationToken.None);

        var warning = Assert.Single(logs.GetSnapshot());
        Assert.Equal((LogLevel.Warning, null), (warning.Level, warning.Exception));
        Assert.Equal($"Publishing the outbox of order {app.Tenant}/{order.Id} failed (DependencyUnavailableException: Service Bus is unavailable (ServiceCommunicationProblem).); the outbox relay will publish it", warning.Message);
    }

    private static ServiceProvider Compose(Downstream app, out FakeLogCollector logs)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [MessagingTopology.Connection] = $"Endpoint=sb://127.0.0.1:{LocalServer.FreePort()};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddFakeLogging().SetMinimumLevel(LogLevel.Information));
        services.AddSingleton<TimeProvider>(app.Clock);
        services.AddSingleton<IOrderStore>(app.Orders);
        services.AddSingleton(app.Metrics.App);
        services.AddMessaging(configuration);
        services.AddOrderDocuments();
        services.AddOutbox();
        var provider = services.BuildServiceProvider();
        logs = provider.GetRequiredService<FakeLogCollector>();
        return provider;
    }
}
