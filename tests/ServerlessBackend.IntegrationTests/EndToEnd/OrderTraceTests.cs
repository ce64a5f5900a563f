using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;
using ServerlessBackend.Functions.Platform.Telemetry;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;
using Xunit.Abstractions;

namespace ServerlessBackend.IntegrationTests.EndToEnd;

/// <summary>
/// One placed order through HTTP, fulfillment, payment and email (the end-to-end wiring of <see cref="OrderFlowTests"/>) with
/// the app's own OpenTelemetry registration (<see cref="TelemetryServiceCollectionExtensions.AddAppTelemetry"/>) and
/// in-memory exporters. The harness plays the Functions worker: each invocation runs in a "function {Name}" span of the
/// worker's source, and a Service Bus invocation starts a trace of its own (the worst case: a host that does not
/// continue the message's trace), so the app's delivery spans must continue the message's traceparent themselves.
/// </summary>
[Collection(DownstreamCollection.Name)]
public sealed class OrderTraceTests : IDisposable
{
    private static readonly ActivitySource Worker = new("Microsoft.Azure.Functions.Worker");

    // The tracer listens process-wide: spans of tests running in parallel arrive here too, from their threads.
    private readonly SnapshotCollection<Activity> _spans = [];
    private readonly SnapshotCollection<LogRecord> _logs = [];
    private readonly ServiceProvider _telemetry;
    private readonly TestTenant _tenant = new();
    private readonly Downstream _app;
    private readonly ApiTestHost _api;
    private readonly ITestOutputHelper _output;
    private readonly string _contact = $"{Guid.NewGuid():N}@example.test";

    public OrderTraceTests(CosmosServerFixture cosmos, SmtpServerFixture smtp, ITestOutputHelper output)
    {
        _output = output;
        var services = new ServiceCollection();
        services.AddAppTelemetry(new ConfigurationBuilder().Build());
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
        services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddInMemoryExporter(_logs));
        _telemetry = services.BuildServiceProvider();
        _ = _telemetry.GetRequiredService<TracerProvider>();
        var loggers = _telemetry.GetRequiredService<ILoggerFactory>();
        _app = new Downstream(cosmos, smtp, _tenant.Id, loggers: loggers);
        _api = new ApiTestHost(cosmos, _app.Clock, _app.Outbox, loggers: loggers);
    }

    [Fact]
    public async Task A_placed_order_is_one_trace_from_the_request_through_fulfillment_payment_and_email_to_the_smtp_send_with_tenant_and_order_and_no_email_address()
    {
        await Invoke("Products", () => _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin,
            """{"id":"BEANS","name":"Espresso beans","price":12.5,"currency":"EUR","availableStock":5}"""));

        string traceId = "";
        var placed = await Invoke("Orders", () =>
        {
            traceId = Activity.Current!.TraceId.ToHexString();
            var body = JsonSerializer.Serialize(new { lines = new[] { new { productId = "BEANS", quantity = 2 } }, contactEmail = _contact });
            return _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, body,
                new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        });
        Assert.Equal(201, placed.StatusCode);
        var orderId = placed.Json.GetProperty("id").GetString()!;
        await PumpAsync();
        Assert.Equal(3, await _app.AvailableAsync("BEANS"));

        var trace = _spans.Where(s => s.TraceId.ToHexString() == traceId).OrderBy(s => s.StartTimeUtc).ToList();
        foreach (var span in trace)
        {
            _output.WriteLine($"{span.Source.Name,-34} {span.DisplayName,-40} parent {span.ParentSpanId} span {span.SpanId}");
        }

        // The journey's spans, in order, each a child of the one before.
        var journey = trace.Where(s => s.Source.Name is AppTelemetry.Name || s.Source == Worker).ToList();
        Assert.Equal(
            [
                "function Orders", "publish OrderPlaced", "fulfillment OrderPlaced", "publish OrderReserved", "payment OrderReserved",
                "publish OrderConfirmed", "email OrderConfirmed", "smtp send",
            ],
            journey.Select(s => s.DisplayName));
        for (var i = 1; i < journey.Count; i++)
        {
            Assert.Equal(journey[i - 1].SpanId, journey[i].ParentSpanId);
        }

        // Every span of this order, wherever it was made, is in this one trace; the Cosmos operations of the request and
        // of the deliveries are in it too, under their invocation's span.
        Assert.All(_spans.Where(s => s.GetTagItem(TelemetryTags.OrderId) as string == orderId), s => Assert.Equal(traceId, s.TraceId.ToHexString()));
        var cosmos = trace.Where(s => s.Source.Name == "Azure.Cosmos.Operation").ToList();
        var deliveries = new[] { journey[2], journey[4], journey[6] };
        Assert.All(deliveries.Prepend(journey[0]), parent => Assert.Contains(cosmos, s => s.ParentSpanId == parent.SpanId));

        // Tenant and order on every app span, the event type on the deliveries; the request's span has the tenant.
        Assert.Equal(_tenant.Id, journey[0].GetTagItem(TelemetryTags.TenantId));
        Assert.All(journey.Skip(1).SkipLast(1), s =>
        {
            Assert.Equal(_tenant.Id, s.GetTagItem(TelemetryTags.TenantId));
            Assert.Equal(orderId, s.GetTagItem(TelemetryTags.OrderId));
        });
        Assert.Equal("OrderPlaced", journey[2].GetTagItem(TelemetryTags.EventType));
        Assert.Equal("OrderReserved", journey[4].GetTagItem(TelemetryTags.EventType));
        Assert.Equal("OrderConfirmed", journey[6].GetTagItem(TelemetryTags.EventType));

        // Each delivery links the invocation the (uncooperative) host started in another trace.
        foreach (var delivery in deliveries)
        {
            var link = Assert.Single(delivery.Links);
            var invocation = Assert.Single(_spans, s => s.SpanId == link.Context.SpanId);
            Assert.StartsWith("function ", invocation.DisplayName, StringComparison.Ordinal);
            Assert.NotEqual(traceId, invocation.TraceId.ToHexString());
        }

        // Every log line of the journey carries the trace id and the tenant; those of the deliveries also the order and event.
        var logs = _logs.Where(l => l.TraceId.ToHexString() == traceId).ToList();
        Assert.NotEmpty(logs);
        Assert.All(logs, l => Assert.Equal(_tenant.Id, Scopes(l).GetValueOrDefault(TelemetryTags.TenantId)));
        var underDeliveries = trace.Where(s => deliveries.Any(d => Within(s, trace, d))).Select(s => s.SpanId).ToHashSet();
        var deliveryLogs = logs.Where(l => underDeliveries.Contains(l.SpanId)).ToList();
        Assert.NotEmpty(deliveryLogs);
        Assert.All(deliveryLogs, l => Assert.Equal(orderId, Scopes(l).GetValueOrDefault(TelemetryTags.OrderId)));

        // No email address anywhere: not the customer's, not any other.
        foreach (var text in _spans.SelectMany(SpanTexts).Concat(_logs.SelectMany(LogTexts)))
        {
            Assert.DoesNotContain(_contact, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("@", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task When_the_relay_publishes_later_the_deliveries_still_continue_the_trace_of_the_request_that_placed_the_order()
    {
        await Invoke("Products", () => _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin,
            """{"id":"BEANS","name":"Espresso beans","price":12.5,"currency":"EUR","availableStock":5}"""));
        _app.Bus.FailNext();
        string traceId = "";
        var placed = await Invoke("Orders", () =>
        {
            traceId = Activity.Current!.TraceId.ToHexString();
            var body = JsonSerializer.Serialize(new { lines = new[] { new { productId = "BEANS", quantity = 1 } }, contactEmail = _contact });
            return _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, body,
                new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        });
        Assert.Equal(201, placed.StatusCode);
        Assert.Empty(_app.Bus.Sent);

        _app.Clock.Advance(Functions.Features.Outbox.OutboxRelayHandler.Delay + TimeSpan.FromSeconds(1));
        var relay = new Functions.Features.Outbox.OutboxRelayHandler(_app.Orders, _app.Outbox, _app.Clock, _app.Metrics.App, _telemetry.GetRequiredService<ILogger<Functions.Features.Outbox.OutboxRelayHandler>>());
        string relayTraceId = "";
        await Invoke("OutboxRelay", async () =>
        {
            relayTraceId = Activity.Current!.TraceId.ToHexString();
            return await relay.RunAsync(CancellationToken.None);
        });
        await PumpAsync();

        var placedSpan = Assert.Single(_spans, s => s.DisplayName == "function Orders" && s.TraceId.ToHexString() == traceId);
        // The publish right after the write failed (an error in the request's trace); the relay's succeeded in its own.
        var publishes = _spans.Where(s => s.DisplayName == "publish OrderPlaced" && s.GetTagItem(TelemetryTags.TenantId) as string == _tenant.Id).ToList();
        Assert.Equal([(traceId, ActivityStatusCode.Error), (relayTraceId, ActivityStatusCode.Unset)], publishes.Select(s => (s.TraceId.ToHexString(), s.Status)));
        var fulfillment = Assert.Single(_spans, s => s.DisplayName == "fulfillment OrderPlaced" && s.GetTagItem(TelemetryTags.TenantId) as string == _tenant.Id);
        Assert.Equal(traceId, fulfillment.TraceId.ToHexString());
        Assert.Equal(placedSpan.SpanId, fulfillment.ParentSpanId);
        Assert.Contains(_spans, s => s.DisplayName == "email OrderConfirmed" && s.TraceId.ToHexString() == traceId);
    }

    public void Dispose() => _telemetry.Dispose();

    private static async Task<T> Invoke<T>(string function, Func<Task<T>> run)
    {
        // A Service Bus invocation in a trace of its own (no parent); an HTTP one as the host's request.
        using var invocation = Worker.StartActivity($"function {function}", ActivityKind.Internal, new ActivityContext());
        return await run();
    }

    private async Task PumpAsync()
    {
        var delivered = new HashSet<string>();
        while (_app.Bus.Sent.Where(m => !delivered.Contains(m.MessageId)).ToList() is { Count: > 0 } pending)
        {
            foreach (var message in pending.Where(m => delivered.Add(m.MessageId)))
            {
                if (MessagingTopology.FulfillmentEventTypes.Contains(message.Subject))
                {
                    await Invoke("Fulfillment", async () => { await _app.FulfillmentFunction.Run(ServiceBusCapture.Receive(message), CancellationToken.None); return 0; });
                }

                if (MessagingTopology.PaymentEventTypes.Contains(message.Subject))
                {
                    await Invoke("Payment", async () => { await _app.PaymentFunction.Run(ServiceBusCapture.Receive(message), CancellationToken.None); return 0; });
                }

                if (MessagingTopology.EmailEventTypes.Contains(message.Subject))
                {
                    await Invoke("Email", async () => { await _app.EmailFunction.Run(ServiceBusCapture.Receive(message), CancellationToken.None); return 0; });
                }
            }
        }
    }

    /// <summary><paramref name="span"/> is <paramref name="ancestor"/> or below it.</summary>
    private static bool Within(Activity span, List<Activity> trace, Activity ancestor)
    {
        for (Activity? s = span; s is not null; s = trace.FirstOrDefault(p => p.SpanId == s.ParentSpanId))
        {
            if (s == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    private static Dictionary<string, object?> Scopes(LogRecord record)
    {
        var scopes = new Dictionary<string, object?>(StringComparer.Ordinal);
        record.ForEachScope((scope, state) => { foreach (var (key, value) in scope) { state[key] = value; } }, scopes);
        return scopes;
    }

    private static IEnumerable<string> SpanTexts(Activity span) =>
        new[] { span.DisplayName, span.StatusDescription ?? "" }
            .Concat(span.TagObjects.Select(t => $"{t.Key}={t.Value}"))
            .Concat(span.Events.SelectMany(e => e.Tags.Select(t => $"{t.Key}={t.Value}").Append(e.Name)))
            .Concat(span.Links.SelectMany(l => l.Tags?.Select(t => $"{t.Key}={t.Value}") ?? []))
            .Concat(span.Baggage.Select(b => $"{b.Key}={b.Value}"));

    private static IEnumerable<string> LogTexts(LogRecord record) =>
        new[] { record.FormattedMessage ?? "", record.Body ?? "", record.Exception?.Message ?? "" }
            .Concat(record.Attributes?.Select(a => $"{a.Key}={a.Value}") ?? [])
            .Concat(Scopes(record).Select(s => $"{s.Key}={s.Value}"));
}
