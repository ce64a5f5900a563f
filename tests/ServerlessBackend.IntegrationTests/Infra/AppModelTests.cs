using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Features.Payments;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>
/// The Cosmos containers and Service Bus entities that infra provisions are the ones the code declares:
/// app-model.json equals the code's model, and the compiled deployment passes exactly that model on.
/// </summary>
public sealed class AppModelTests
{
    [Fact]
    public void App_model_json_matches_what_the_code_declares()
    {
        var expected = CodeModel.Expected();

        Assert.True(
            JsonNode.DeepEquals(expected, CodeModel.Committed()),
            $"infra/app-model.json is out of date with CosmosModel/MessagingTopology. Replace its cosmos and serviceBus sections with:\n{CodeModel.Show(expected)}");
    }

    [Fact]
    public void Cosmos_module_provisions_the_database_and_every_declared_container()
    {
        var containers = CompiledInfra.ModuleParameter("cosmos", "containers");

        Assert.Equal(CosmosModel.DefaultDatabaseName, CompiledInfra.ModuleParameter("cosmos", "databaseName").GetString());
        Assert.True(JsonNode.DeepEquals(CodeModel.Expected()["cosmos"]!["containers"], JsonNode.Parse(containers.GetRawText())));
        var resource = CompiledInfra.Resource("cosmos", "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers");
        Assert.Equal("[length(parameters('containers'))]", resource.GetProperty("copy").GetProperty("count").GetString());
    }

    [Fact]
    public void Each_container_takes_its_partition_key_ttl_excluded_paths_and_composite_indexes_from_the_model()
    {
        var body = CompiledInfra.Resource("cosmos", "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")
            .GetProperty("properties").GetProperty("resource").GetString()!;

        Assert.Contains("parameters('containers')[copyIndex()].partitionKeyPath", body, StringComparison.Ordinal);
        Assert.Contains("parameters('containers')[copyIndex()].defaultTtlSeconds", body, StringComparison.Ordinal);
        Assert.Contains("parameters('containers')[copyIndex()].excludedPaths", body, StringComparison.Ordinal);
        Assert.Contains("'compositeIndexes', parameters('containers')[copyIndex()].compositeIndexes", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Service_bus_module_provisions_the_topic_and_every_declared_subscription()
    {
        Assert.Equal(MessagingTopology.OrdersTopic, CompiledInfra.ModuleParameter("serviceBus", "topicName").GetString());
        Assert.Equal(MessagingTopology.MaxDeliveryCount, CompiledInfra.ModuleParameter("serviceBus", "maxDeliveryCount").GetInt32());
        var subscriptions = CompiledInfra.ModuleParameter("serviceBus", "subscriptions");
        Assert.True(JsonNode.DeepEquals(CodeModel.Expected()["serviceBus"]!["subscriptions"], JsonNode.Parse(subscriptions.GetRawText())));

        var properties = CompiledInfra.Resource("serviceBus", "Microsoft.ServiceBus/namespaces/topics/subscriptions").GetProperty("properties");
        Assert.Equal("[parameters('maxDeliveryCount')]", properties.GetProperty("maxDeliveryCount").GetString());
        Assert.Equal("[parameters('subscriptions')[copyIndex()].requiresSession]", properties.GetProperty("requiresSession").GetString());
    }

    [Fact]
    public void Each_subscription_filter_replaces_the_catch_all_default_rule_with_a_subject_filter_on_its_event_types()
    {
        var rule = CompiledInfra.Resource("serviceBus", "Microsoft.ServiceBus/namespaces/topics/subscriptions/rules");
        var properties = rule.GetProperty("properties");

        // A rule with any other name would leave the $Default TrueFilter in place: every event would pass.
        Assert.EndsWith("'$Default')]", rule.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.Equal("SqlFilter", properties.GetProperty("filterType").GetString());
        var expression = properties.GetProperty("sqlFilter").GetProperty("sqlExpression").GetString()!;
        Assert.Contains("sys.Label IN (", expression, StringComparison.Ordinal);
        Assert.Contains("parameters('subscriptions')[copyIndex()].eventTypes", expression, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_event_type_reaches_a_subscription_and_every_filtered_type_exists()
    {
        var declared = DeclaredEventTypes().ToHashSet();
        var filtered = MessagingTopology.Subscriptions.SelectMany(s => s.EventTypes).ToHashSet();

        // The one Subject that is not an order event: the webhook attempts the webhooks consumer sends itself.
        Assert.Empty(filtered.Except(declared).Except([MessagingTopology.WebhookAttemptSubject]));
        Assert.Empty(declared.Except(filtered).Except(MessagingTopology.UnsubscribedEventTypes));
        Assert.Empty(filtered.Intersect(MessagingTopology.UnsubscribedEventTypes));
    }

    [Fact]
    public async Task Each_subscription_lets_through_exactly_the_event_types_its_consumer_acts_on()
    {
        // An event type the consumer acts on but the filter drops is never handled; one the filter lets
        // through but the consumer ignores is completed without effect (or dead-lettered if it threw).
        var orders = Mock.Of<IOrderStore>();
        var stock = Mock.Of<IStockStore>();
        var provider = Mock.Of<IPaymentProvider>();
        var transitions = new OrderTransitions(orders, Mock.Of<IOrderOutbox>(), TimeProvider.System, MetricsCapture.Unobserved, AuditTrails.Default());
        var delivery = new OrderEventDelivery(NullLogger<OrderEventDelivery>.Instance);
        var fulfillment = new FulfillmentFunction(
            new ReserveStockHandler(orders, stock, transitions, TimeProvider.System, NullLogger<ReserveStockHandler>.Instance),
            new ReleaseStockHandler(orders, stock),
            new CommitStockHandler(orders, stock),
            new RestockReturnHandler(orders, stock, transitions, TimeProvider.System),
            delivery);
        var voids = new VoidPaymentHandler(orders, provider, transitions, TimeProvider.System, NullLogger<VoidPaymentHandler>.Instance);
        var outcomes = new ApplyPaymentOutcomeHandler(orders, provider, transitions, voids, TimeProvider.System, NullLogger<ApplyPaymentOutcomeHandler>.Instance);
        var payment = new PaymentFunction(
            new AuthorizePaymentHandler(orders, provider, transitions, outcomes, voids, TimeProvider.System, NullLogger<AuthorizePaymentHandler>.Instance),
            new CapturePaymentHandler(orders, provider, transitions, TimeProvider.System, NullLogger<CapturePaymentHandler>.Instance),
            voids,
            new RefundPaymentHandler(orders, provider, new RefundOutcomes(orders, provider, transitions, TimeProvider.System, NullLogger<RefundOutcomes>.Instance)),
            delivery);

        Assert.Equal(MessagingTopology.FulfillmentEventTypes.Order(), await ActedOnAsync(fulfillment.HandleAsync));
        Assert.Equal(MessagingTopology.PaymentEventTypes.Order(), await ActedOnAsync(payment.HandleAsync));
        Assert.Equal(MessagingTopology.EmailEventTypes.Order(), DeclaredEventTypes().Where(OrderEmails.Covers).Order());
        // Webhooks: every event a tenant's endpoint may ask for, and the attempts; registration takes exactly those types.
        Assert.Equal(
            DeclaredEventTypes().Append(MessagingTopology.WebhookAttemptSubject).Order(),
            MessagingTopology.Subscriptions.Single(s => s.Name == MessagingTopology.WebhooksSubscription).EventTypes.Order());
        Assert.Equal(DeclaredEventTypes().Order(), MessagingTopology.WebhookEventTypes.Order());
    }

    [Fact]
    public void The_service_bus_emulator_config_declares_the_same_topic_and_subscriptions_as_the_code()
    {
        // The opt-in emulator tests prove the publisher and the dead-letter replay only if the emulator's
        // entities are the ones infra provisions.
        var config = JsonNode.Parse(File.ReadAllText(RepoPaths.InRoot("tests", "ServerlessBackend.IntegrationTests", "Emulators", "servicebus-emulator-config.json")))!;
        var topic = config["UserConfig"]!["Namespaces"]![0]!["Topics"]!.AsArray().Single()!;
        var actual = topic["Subscriptions"]!.AsArray().Select(subscription => (
            Name: (string)subscription!["Name"]!,
            Session: (bool)subscription["Properties"]!["RequiresSession"]!,
            MaxDeliveryCount: (int)subscription["Properties"]!["MaxDeliveryCount"]!,
            Filter: (string)subscription["Rules"]!.AsArray().Single()!["Properties"]!["SqlFilter"]!["SqlExpression"]!));
        var expected = MessagingTopology.Subscriptions.Select(subscription => (
            subscription.Name,
            subscription.RequiresSession,
            MessagingTopology.MaxDeliveryCount,
            $"sys.Label IN ({string.Join(", ", subscription.EventTypes.Select(type => $"'{type}'"))})"));

        Assert.Equal(MessagingTopology.OrdersTopic, (string)topic["Name"]!);
        Assert.True((bool)topic["Properties"]!["RequiresDuplicateDetection"]!);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Subscriptions_are_named_once_each()
    {
        var names = CompiledInfra.ModuleParameter("serviceBus", "subscriptions").EnumerateArray()
            .Select(s => s.GetProperty("name").GetString())
            .ToList();

        Assert.Equal(names.Distinct().Count(), names.Count);
        Assert.Contains(MessagingTopology.FulfillmentSubscription, names);
        Assert.Contains(MessagingTopology.EmailSubscription, names);
    }

    /// <summary>The declared event types a consumer's function hands to a handler.</summary>
    private static async Task<IOrderedEnumerable<string>> ActedOnAsync(Func<OrderEvent, CancellationToken, Task> handle)
    {
        var actedOn = new List<string>();
        foreach (var type in DeclaredEventTypes())
        {
            // The order does not exist: a handler that acts on the type looks it up and refuses the message.
            var orderEvent = new OrderEvent($"o-1.{type}", type, "tenant-1", "o-1", TestData.Now);
            if (await Record.ExceptionAsync(() => handle(orderEvent, CancellationToken.None)) is PoisonMessageException)
            {
                actedOn.Add(type);
            }
        }

        return actedOn.Order();
    }

    private static IEnumerable<string> DeclaredEventTypes() =>
        typeof(OrderEventTypes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!);
}
