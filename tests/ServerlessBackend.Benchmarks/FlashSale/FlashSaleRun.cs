using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;
using ServerlessBackend.Functions.Features.Catalog;

namespace ServerlessBackend.Benchmarks.FlashSale;

/// <summary>
/// A flash sale against the local Cosmos-protocol server, through the app's real fulfillment handler, stock
/// store, order store and outbox publisher (Service Bus replaced by a sender that drops the messages):
/// N single-unit orders for one product with stock K, every OrderPlaced delivered twice in a shuffled order to
/// C concurrent consumers (a failed delivery is delivered again, as Service Bus would), then a tenth of the
/// confirmed orders cancelled and their OrderCancelled delivered twice. Ends with the summary line; the exit
/// code is 0 only when exactly min(N, K) orders were confirmed, every order was decided and the final stock is
/// exactly what the cancellations gave back (nothing oversold, leaked or given back twice).
/// </summary>
public static class FlashSaleRun
{
    private const string Tenant = "tenant-flash";
    private const string Sku = "SKU-FLASH";
    private const int MaxDeliveries = 10;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        FlashSaleOptions options;
        try
        {
            options = FlashSaleOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await output.WriteLineAsync(e.Message);
            return 2;
        }

        using var server = LocalCosmosServer.Start();
        var tally = new StockRequestTally();
        using var client = server.CreateClient(tally);
        await CosmosBootstrap.EnsureCreatedAsync(server.Endpoint, "flash-sale", allowUntrustedCertificate: true, cancellationToken);
        var containers = new CosmosContainers(client, "flash-sale");
        var orders = new CosmosOrderStore(containers);
        var transitions = new OrderTransitions(orders, new OrderOutbox(orders, new DroppingSender(), NullLogger<OrderOutbox>.Instance), TimeProvider.System, MetricsCapture.Unobserved, AuditTrails.Default());
        var stock = tally.Tallied(new CosmosStockStore(containers, TimeProvider.System, MetricsCapture.Unobserved));
        var fulfillment = new FulfillmentFunction(
            new ReserveStockHandler(orders, stock, transitions, TimeProvider.System, NullLogger<ReserveStockHandler>.Instance),
            new ReleaseStockHandler(orders, stock),
            new CommitStockHandler(orders, stock),
            new RestockReturnHandler(orders, stock, transitions, TimeProvider.System),
            new OrderEventDelivery(NullLogger<OrderEventDelivery>.Instance));

        await new CosmosProductStore(containers).CreateAsync(Product(options.Stock), AuditTrails.Entry(Tenant, "product", "flash"), cancellationToken);
        var placed = Enumerable.Range(0, options.Orders).Select(PlacedOrder).ToList();
        await ForEachAsync(placed, options.Consumers, order => orders.CreateAsync(order, cancellationToken));

        var random = new Random(42);
        var deliveries = placed.Concat(placed).Select(o => Event(o, OrderEventTypes.OrderPlaced)).OrderBy(_ => random.Next()).ToList();
        var clock = Stopwatch.StartNew();
        var (failed, soldOut) = await DeliverAsync(fulfillment, deliveries, options.Consumers, clock, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;

        var statuses = new ConcurrentDictionary<string, OrderStatus>(StringComparer.Ordinal);
        await ForEachAsync(placed, options.Consumers, async order =>
            statuses[order.Id] = (await orders.GetAsync(Tenant, order.Id, cancellationToken))!.Value.Status);
        var confirmed = placed.Where(o => statuses[o.Id] == OrderStatus.AwaitingPayment).ToList();
        var rejected = placed.Count(o => statuses[o.Id] == OrderStatus.Rejected);

        var cancel = new ChangeOrderStatusHandler(orders, transitions);
        var admin = new Caller(Tenant, "admin-flash", Email: null, IsAdmin: true);
        var cancelled = confirmed.Where((_, i) => i % 10 == 0).ToList();
        await ForEachAsync(cancelled, options.Consumers, order => cancel.CancelAsync(admin, order.Id, ifMatch: null, cancellationToken));
        var cancellations = cancelled.Concat(cancelled).Select(o => Event(o, OrderEventTypes.OrderCancelled)).OrderBy(_ => random.Next()).ToList();
        failed += (await DeliverAsync(fulfillment, cancellations, options.Consumers, Stopwatch.StartNew(), cancellationToken)).Failed;

        var product = await ProductDocument.ReadAsync(containers.Products, cancellationToken);
        var released = Calls(tally, "release True") + Calls(tally, "release leftover True");
        var reserved = tally.ByOutcome.GetValueOrDefault("reserve Reserved");
        var preconditionFailures = tally.ByOutcome.Values.Sum(t => t.PreconditionFailures);
        var perReservation = reserved is null ? 0 : (double)reserved.Requests / reserved.Calls;

        await output.WriteLineAsync(Breakdown(tally, failed, product) + string.Create(CultureInfo.InvariantCulture,
            $"; deliveries took {seconds:0.0} s, the last confirmation came after {soldOut.TotalSeconds:0.0} s ({confirmed.Count / soldOut.TotalSeconds:0.0} confirmations/s until then)"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"flash-sale: {options.Orders} orders, {options.Stock} stock, {options.Consumers} consumers: {confirmed.Count} confirmed, {rejected} rejected, {released} released, {product.AvailableStock} final stock, {perReservation:0.00} cosmos requests per reservation, {preconditionFailures} precondition failures, {confirmed.Count / seconds:0.0} confirmations/s"));

        var sound = confirmed.Count == Math.Min(options.Orders, options.Stock)
            && confirmed.Count + rejected == options.Orders
            && product.AvailableStock == released
            && released == cancelled.Count;
        return sound ? 0 : 1;
    }

    /// <summary>What the summary line does not say: each outcome's calls and requests, retries, redeliveries, and the product document's size.</summary>
    private static string Breakdown(StockRequestTally tally, int failed, ProductDocument product)
    {
        var outcomes = tally.ByOutcome.OrderBy(o => o.Key, StringComparer.Ordinal)
            .Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key}: {o.Value.Calls} calls, {(double)o.Value.Requests / o.Value.Calls:0.00} requests each"));
        var retries = tally.ByOutcome.Values.Sum(t => t.Retries);
        return $"stock store: {string.Join("; ", outcomes)}; client retries after a precondition failure: {retries}; deliveries failed and delivered again: {failed}; "
            + $"product document: {product.Bytes} bytes, {product.Markers} reservation markers, {product.Tombstones} tombstones";
    }

    private static int Calls(StockRequestTally tally, string outcome) => tally.ByOutcome.GetValueOrDefault(outcome)?.Calls ?? 0;

    /// <summary>
    /// Consumers pulling deliveries until none is left; a delivery that throws is delivered again (up to <see cref="MaxDeliveries"/> times).
    /// Returns how many failed, and when (on <paramref name="clock"/>) the last one that confirmed its order ended.
    /// </summary>
    private static async Task<(int Failed, TimeSpan LastConfirmation)> DeliverAsync(
        FulfillmentFunction handler, IReadOnlyList<OrderEvent> events, int consumers, Stopwatch clock, CancellationToken cancellationToken)
    {
        var queue = new ConcurrentQueue<(OrderEvent Event, int Delivery)>(events.Select(e => (e, 1)));
        var failed = 0;
        long lastConfirmation = 0;
        await Task.WhenAll(Enumerable.Range(0, consumers).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var next))
            {
                try
                {
                    if (await handler.HandleAsync(next.Event, cancellationToken) == FulfillmentOutcome.Reserved)
                    {
                        var now = clock.ElapsedTicks;
                        for (var seen = Interlocked.Read(ref lastConfirmation); now > seen; seen = Interlocked.Read(ref lastConfirmation))
                        {
                            Interlocked.CompareExchange(ref lastConfirmation, now, seen);
                        }
                    }
                }
                catch (Exception) when (next.Delivery < MaxDeliveries)
                {
                    Interlocked.Increment(ref failed);
                    queue.Enqueue((next.Event, next.Delivery + 1));
                }
            }
        }, cancellationToken)));
        return (failed, TimeSpan.FromSeconds((double)lastConfirmation / Stopwatch.Frequency));
    }

    private static Task ForEachAsync<T>(IEnumerable<T> items, int parallelism, Func<T, Task> action) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (item, _) => await action(item));

    private static Product Product(int stock) => new()
    {
        Id = Sku,
        TenantId = Tenant,
        Name = "Flash-sale item",
        Price = 9.99m,
        Currency = "EUR",
        AvailableStock = stock,
        Active = true,
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>A placed single-unit order whose OrderPlaced counts as published: the run delivers it itself.</summary>
    private static Order PlacedOrder(int i)
    {
        var order = Order.Place(
            PlaceOrderHandler.OrderId(new Caller(Tenant, $"customer-{i}", null, IsAdmin: false), "flash-sale"), Tenant, $"customer-{i}", $"customer-{i}@example.test",
            [OrderLine.Priced(Sku, "Flash-sale item", 1, 9.99m)], "EUR", "hash", SampleOrders.Now, correlationId: null);
        return order.WithoutPublished([.. order.Outbox.Select(e => e.Id)]);
    }

    private static OrderEvent Event(Order order, string type) => new(Order.EventId(order.Id, type), type, Tenant, order.Id, SampleOrders.Now);

    /// <summary>The orders topic, answering every send as done: the run delivers the events itself.</summary>
    private sealed class DroppingSender : ServiceBusSender
    {
        public override Task SendMessagesAsync(IEnumerable<ServiceBusMessage> messages, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    /// <summary>The product document as stored: its stock, its size and how many reservation entries it carries.</summary>
    private sealed record ProductDocument(int AvailableStock, long Bytes, int Markers, int Tombstones)
    {
        public static async Task<ProductDocument> ReadAsync(Container products, CancellationToken cancellationToken)
        {
            using var response = await products.ReadItemStreamAsync(Sku, new PartitionKey(Tenant), cancellationToken: cancellationToken);
            using var body = new MemoryStream();
            await response.EnsureSuccessStatusCode().Content.CopyToAsync(body, cancellationToken);
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            var markers = root.TryGetProperty("reservations", out var r) ? r.EnumerateObject().Count() : 0;
            var tombstones = root.TryGetProperty("settled", out var s)
                ? s.EnumerateArray().Sum(slot => slot.GetProperty("orders").EnumerateObject().Count())
                : 0;
            return new ProductDocument(root.GetProperty("availableStock").GetInt32(), body.Length, markers, tombstones);
        }
    }
}
