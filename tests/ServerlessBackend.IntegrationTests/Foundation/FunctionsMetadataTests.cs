using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Foundation;

/// <summary>
/// Reads the functions.metadata that the real Worker SDK generated for the app: this is what the
/// Functions host indexes, so bindings declared in code are checked as the host will see them.
/// </summary>
public sealed class FunctionsMetadataTests
{
    // The stand-in attribute comes from a test-support project the app references only with UseServiceBusStandIn=true.
    private static readonly bool IsStandInBuild =
        typeof(ServiceBusTriggerAttribute).Assembly.GetName().Name == "ServerlessBackend.ServiceBusStandIn";

    [Fact]
    public void Health_is_an_anonymous_get_on_api_health_that_the_host_sends_every_method_of_the_path()
    {
        var trigger = FunctionsMetadata.Trigger("Health");
        var entryPoint = FunctionsMetadata.Function("Health").GetProperty("entryPoint").GetString()!;

        Assert.Equal(("httpTrigger", "Anonymous", "health"), (trigger.GetProperty("type").GetString(), trigger.GetProperty("authLevel").GetString(), trigger.GetProperty("route").GetString()));
        // No method list: the function answers every method itself (HEAD, OPTIONS, 405), so no other route competes for the path.
        Assert.False(trigger.TryGetProperty("methods", out _));
        Assert.True(EntryPointAttributes.Covers<PublicEndpointAttribute>(entryPoint, "GET"));
        Assert.True(EntryPointAttributes.Covers<PublicEndpointAttribute>(entryPoint, "HEAD"));
        Assert.False(EntryPointAttributes.Covers<PublicEndpointAttribute>(entryPoint, "POST"));
    }

    [Fact]
    public void The_stripe_webhook_is_an_anonymous_post_that_needs_no_token()
    {
        var trigger = FunctionsMetadata.Trigger("StripeWebhook");
        var entryPoint = FunctionsMetadata.Function("StripeWebhook").GetProperty("entryPoint").GetString()!;

        Assert.Equal(("httpTrigger", "Anonymous", "v1/payments/stripe/webhook"), (trigger.GetProperty("type").GetString(), trigger.GetProperty("authLevel").GetString(), trigger.GetProperty("route").GetString()));
        Assert.False(trigger.TryGetProperty("methods", out _));
        // Stripe sends no bearer token: the middleware must let its POST through to the signature check, and nothing else.
        Assert.True(EntryPointAttributes.Covers<PublicEndpointAttribute>(entryPoint, "POST"));
        Assert.False(EntryPointAttributes.Covers<PublicEndpointAttribute>(entryPoint, "GET"));
    }

    [Fact]
    public void Fulfillment_listens_on_the_orders_topic_fulfillment_subscription_through_the_ServiceBus_connection()
    {
        var trigger = FunctionsMetadata.Trigger("Fulfillment");

        Assert.Equal("serviceBusTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("orders", trigger.GetProperty("topicName").GetString());
        Assert.Equal("fulfillment", trigger.GetProperty("subscriptionName").GetString());
        Assert.Equal("ServiceBus", trigger.GetProperty("connection").GetString());
        Assert.False(trigger.GetProperty("isSessionsEnabled").GetBoolean());
    }

    [Theory]
    [InlineData("Fulfillment")]
    [InlineData("Email")]
    public void Service_bus_triggers_take_one_message_bound_by_the_extension_as_the_official_package_declares_them(string function)
    {
        var trigger = FunctionsMetadata.Trigger(function);

        // What Microsoft.Azure.Functions.Worker.Extensions.ServiceBus 5.23.0 writes: one message per invocation, and
        // the host hands the worker the raw message (model binding data) for ServiceBusReceivedMessage parameters.
        Assert.Equal("One", trigger.GetProperty("cardinality").GetString());
        Assert.Equal("True", trigger.GetProperty("properties").GetProperty("supportsDeferredBinding").GetString());
    }

    [Fact]
    public void The_app_declares_no_binding_attribute_of_its_own()
    {
        // Binding attributes come from extension packages (or, for tests, the stand-in project), never from the
        // deployable app: otherwise a stand-in could ship in it.
        var own = typeof(MessagingTopology).Assembly.GetTypes()
            .Where(t => typeof(Microsoft.Azure.Functions.Worker.Extensions.Abstractions.BindingAttribute).IsAssignableFrom(t))
            .Select(t => t.FullName);

        Assert.Empty(own);
        Assert.NotEqual(typeof(MessagingTopology).Assembly, typeof(ServiceBusTriggerAttribute).Assembly);
    }

    [Fact]
    public void Host_extensions_match_the_service_bus_build_mode()
    {
        var extensions = File.ReadAllText(Path.Combine(RepoPaths.FunctionsOutput, "extensions.json"));

        // The official worker package makes the build install the host's Service Bus extension;
        // the stand-in must not, so a stand-in build can never pass for a deployable one.
        Assert.Equal(!IsStandInBuild, extensions.Contains("ServiceBus", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Host_json_and_local_settings_are_in_the_build_output()
    {
        var output = RepoPaths.FunctionsOutput;

        Assert.Equal(File.ReadAllText(RepoPaths.InRoot("host.json")), File.ReadAllText(Path.Combine(output, "host.json")));
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "local.settings.json")));
        Assert.Equal("dotnet-isolated", settings.RootElement.GetProperty("Values").GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
    }
}
