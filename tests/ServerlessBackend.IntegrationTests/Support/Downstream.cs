using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Features.Payments;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Functions.Features.Catalog;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// The downstream pieces wired as Program.cs wires them: the real Cosmos adapters against the
/// Cosmos-protocol server, the real SMTP sender (when given a server), a mocked ServiceBusSender, and the app's
/// metrics captured.
/// </summary>
public sealed class Downstream : IDisposable
{
    private readonly HashSet<string> _delivered = [];

    // paymentProvider: behind PaymentProvider; the local one unless given (the Stripe flow gives Stripe's).
    // loggers: where the handlers log (the app's OpenTelemetry logging in the telemetry tests); nowhere by default.
    public Downstream(
        CosmosServerFixture cosmos, SmtpServerFixture? smtp = null, string? tenant = null, IPaymentProvider? paymentProvider = null, ILoggerFactory? loggers = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        ArgumentNullException.ThrowIfNull(cosmos);
        Tenant = tenant ?? TestData.NewTenant();
        PaymentProvider = new RecordingPaymentProvider(paymentProvider ?? new LocalPaymentProvider());
        Cosmos = cosmos;
        Orders = new InterceptingOrderStore(cosmos.Containers, Tenant);
        Products = new CosmosProductStore(cosmos.Containers);
        Stock = new CosmosStockStore(cosmos.Containers, Clock, Metrics.App);
        Outbox = new OrderOutbox(Orders, Bus.Sender.Object, loggers.CreateLogger<OrderOutbox>());
        Transitions = new OrderTransitions(Orders, Outbox, Clock, Metrics.App, AuditTrails.Default(Clock));
        Delivery = new OrderEventDelivery(loggers.CreateLogger<OrderEventDelivery>());
        FulfillmentFunction = new FulfillmentFunction(
            new ReserveStockHandler(Orders, Stock, Transitions, Clock, loggers.CreateLogger<ReserveStockHandler>()),
            new ReleaseStockHandler(Orders, Stock),
            new CommitStockHandler(Orders, Stock),
            new RestockReturnHandler(Orders, Stock, Transitions, Clock),
            Delivery);
        var voids = new VoidPaymentHandler(Orders, PaymentProvider, Transitions, Clock, loggers.CreateLogger<VoidPaymentHandler>());
        PaymentOutcomes = new ApplyPaymentOutcomeHandler(Orders, PaymentProvider, Transitions, voids, Clock, loggers.CreateLogger<ApplyPaymentOutcomeHandler>());
        RefundOutcomes = new RefundOutcomes(Orders, PaymentProvider, Transitions, Clock, loggers.CreateLogger<RefundOutcomes>());
        PaymentFunction = new PaymentFunction(
            new AuthorizePaymentHandler(Orders, PaymentProvider, Transitions, PaymentOutcomes, voids, Clock, loggers.CreateLogger<AuthorizePaymentHandler>()),
            new CapturePaymentHandler(Orders, PaymentProvider, Transitions, Clock, loggers.CreateLogger<CapturePaymentHandler>()),
            voids,
            new RefundPaymentHandler(Orders, PaymentProvider, RefundOutcomes),
            Delivery);
        EmailOptions = Options.Create(new EmailOptions { SmtpHost = smtp?.Host ?? "127.0.0.1", SmtpPort = smtp?.SmtpPort ?? 25, FromAddress = "shop@example.test" });
        NotificationLog = new CosmosNotificationLog(cosmos.Containers);
        Email = new SendOrderEmailHandler(Orders, NotificationLog, new SmtpEmailSender(EmailOptions), EmailOptions, Clock, Metrics.App, loggers.CreateLogger<SendOrderEmailHandler>());
    }

    public CosmosServerFixture Cosmos { get; }

    public string Tenant { get; }

    public FakeTimeProvider Clock { get; } = new(TestData.Now);

    public ServiceBusCapture Bus { get; } = new();

    public MetricsCapture Metrics { get; } = new();

    /// <summary>The real order adapter, with crash points for tests.</summary>
    public InterceptingOrderStore Orders { get; }

    public CosmosProductStore Products { get; }

    public CosmosStockStore Stock { get; }

    public OrderOutbox Outbox { get; }

    public OrderTransitions Transitions { get; }

    /// <summary>The payment provider, with every call recorded and crash points for tests.</summary>
    public RecordingPaymentProvider PaymentProvider { get; }

    /// <summary>Provider outcomes reported later (what the Stripe webhook applies).</summary>
    public ApplyPaymentOutcomeHandler PaymentOutcomes { get; }

    /// <summary>Records refund outcomes (the payment consumer's and the Stripe webhook's).</summary>
    public RefundOutcomes RefundOutcomes { get; }

    public IOptions<EmailOptions> EmailOptions { get; }

    public CosmosNotificationLog NotificationLog { get; }

    public SendOrderEmailHandler Email { get; }

    public OrderEventDelivery Delivery { get; }

    /// <summary>The fulfillment subscription's function; its HandleAsync maps an event to its use case's handler.</summary>
    public FulfillmentFunction FulfillmentFunction { get; }

    public EmailFunction EmailFunction => new(Email, Delivery);

    /// <summary>The payment subscription's function; its HandleAsync maps an event to its use case's handler.</summary>
    public PaymentFunction PaymentFunction { get; }

    public async Task<Product> StockedAsync(string sku, int stock, string name = "Espresso beans")
    {
        var product = TestData.Product(Tenant, sku, stock: stock) with { Name = name };
        await Products.CreateAsync(product, CancellationToken.None);
        return product;
    }

    /// <summary>A placed order (pending, OrderPlaced in its outbox) for the given (sku, quantity) lines, stored.</summary>
    public Task<Order> PlacedAsync(params (string Sku, int Quantity)[] lines) => PlacedAsync($"{Guid.NewGuid():N}@example.test", lines);

    /// <summary>A placed order, as above, whose customer gave <paramref name="contactEmail"/>.</summary>
    public Task<Order> PlacedAsync(string contactEmail, params (string Sku, int Quantity)[] lines) => PlacedWithAsync(contactEmail, paymentMethod: null, lines);

    /// <summary>A placed order, as above, paying with <paramref name="paymentMethod"/> (a local provider test token).</summary>
    public async Task<Order> PlacedWithAsync(string contactEmail, string? paymentMethod, params (string Sku, int Quantity)[] lines)
    {
        var order = Order.Place(
            $"o-{Guid.NewGuid():N}", Tenant, "customer-1", contactEmail,
            lines.Select(l => OrderLine.Priced(l.Sku, $"Product {l.Sku}", l.Quantity, 2.50m)).ToList(),
            "EUR", "hash", Clock.GetUtcNow(), "corr-1", paymentMethod);
        await Orders.CreateAsync(order, CancellationToken.None);
        return order;
    }

    /// <summary>Moves a stored order along the shortest path to the status <paramref name="eventType"/> announces, as fulfillment and the admin would.</summary>
    public async Task<Order> AdvancedAsync(Order order, string eventType)
    {
        ArgumentNullException.ThrowIfNull(order);
        var current = (await Orders.GetAsync(Tenant, order.Id, CancellationToken.None))!;
        if (eventType == OrderEventTypes.OrderPlaced)
        {
            return current.Value;
        }

        var target = OrderStateMachine.StatusAnnouncedBy(eventType);
        var moved = TestData.Advanced(current.Value, target, Clock.GetUtcNow(), target == OrderStatus.Rejected ? "Not enough stock." : null);
        await Orders.ReplaceAsync(moved, current.ETag, CancellationToken.None);
        return moved;
    }

    public async Task<Order> OrderAsync(string orderId) => (await Orders.GetAsync(Tenant, orderId, CancellationToken.None))!.Value;

    public async Task<int> AvailableAsync(string sku) => (await Products.GetAsync(Tenant, sku, CancellationToken.None))!.Value.AvailableStock;

    /// <summary>
    /// Delivers every message sent since the last pump to the functions of the subscriptions whose filters match (a
    /// repeated MessageId is dropped, as the topic's duplicate detection does), until nothing new is sent; returns how
    /// many deliveries it made.
    /// </summary>
    public async Task<int> PumpAsync()
    {
        var fulfillment = FulfillmentFunction;
        var payment = PaymentFunction;
        var email = EmailFunction;
        var deliveries = 0;
        while (Bus.Sent.Where(m => !_delivered.Contains(m.MessageId)).ToList() is { Count: > 0 } pending)
        {
            foreach (var message in pending.Where(m => _delivered.Add(m.MessageId)))
            {
                var received = ServiceBusCapture.Receive(message);
                if (MessagingTopology.FulfillmentEventTypes.Contains(message.Subject))
                {
                    deliveries++;
                    await fulfillment.Run(received, CancellationToken.None);
                }

                if (MessagingTopology.PaymentEventTypes.Contains(message.Subject))
                {
                    deliveries++;
                    await payment.Run(received, CancellationToken.None);
                }

                if (MessagingTopology.EmailEventTypes.Contains(message.Subject))
                {
                    deliveries++;
                    await email.Run(received, CancellationToken.None);
                }
            }
        }

        return deliveries;
    }

    /// <summary>The next pump delivers every message again, as if duplicate detection had let them all through.</summary>
    public void ForgetDeliveries() => _delivered.Clear();

    public void Dispose() => Metrics.Dispose();

    public static OrderEvent Event(Order order, string type) => new(Order.EventId(order.Id, type), type, order.TenantId, order.Id, TestData.Now, "corr-1");

    /// <summary>A refund event of the order's refund <paramref name="refundId"/>.</summary>
    public static OrderEvent RefundEvent(Order order, string refundId, string type) =>
        new(Order.RefundEventId(order.Id, refundId, type), type, order.TenantId, order.Id, TestData.Now, "corr-1") { RefundId = refundId };

    /// <summary>A stored order moved to Shipped with its payment captured, its events published (the test delivers what it needs).</summary>
    public async Task<Order> ShippedAsync(Order order)
    {
        var current = (await Orders.GetAsync(Tenant, order.Id, CancellationToken.None))!;
        var shipped = TestData.ShippedAndCaptured(current.Value, Clock.GetUtcNow());
        await Orders.ReplaceAsync(shipped, current.ETag, CancellationToken.None);
        return shipped;
    }
}

/// <summary>Tests that need both the Cosmos-protocol server and the SMTP server.</summary>
[CollectionDefinition(Name)]
public sealed class DownstreamCollection : ICollectionFixture<CosmosServerFixture>, ICollectionFixture<SmtpServerFixture>
{
    public const string Name = "Downstream";
}
