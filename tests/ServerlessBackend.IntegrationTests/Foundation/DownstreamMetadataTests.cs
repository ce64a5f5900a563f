using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Foundation;

/// <summary>The downstream functions' bindings as the real Worker SDK wrote them into functions.metadata.</summary>
public sealed class DownstreamMetadataTests
{
    [Fact]
    public void Email_listens_on_the_session_enabled_email_subscription_of_the_orders_topic()
    {
        var trigger = FunctionsMetadata.Trigger("Email");

        Assert.Equal("serviceBusTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("orders", trigger.GetProperty("topicName").GetString());
        Assert.Equal("email", trigger.GetProperty("subscriptionName").GetString());
        Assert.Equal("ServiceBus", trigger.GetProperty("connection").GetString());
        Assert.True(trigger.GetProperty("isSessionsEnabled").GetBoolean());
    }

    [Fact]
    public void The_outbox_relay_runs_on_a_timer_every_30_seconds()
    {
        var trigger = FunctionsMetadata.Trigger("OutboxRelay");

        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("*/30 * * * * *", trigger.GetProperty("schedule").GetString());
    }
}
