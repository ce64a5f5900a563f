using System.Globalization;
using System.Text.Json;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Shared.Messaging;

/// <summary>The Service Bus settings in host.json that the consumers' correctness relies on.</summary>
public sealed class HostJsonServiceBusTests
{
    private static readonly JsonElement Host = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRoot("host.json"))).RootElement;

    private static JsonElement ServiceBus => Host.GetProperty("extensions").GetProperty("serviceBus");

    [Fact]
    public void Messages_complete_only_after_success_so_a_throwing_function_abandons_them_for_retry()
    {
        Assert.True(ServiceBus.GetProperty("autoCompleteMessages").GetBoolean());
    }

    [Fact]
    public void Locks_are_renewed_for_as_long_as_a_function_may_run()
    {
        var renewal = TimeSpan.Parse(ServiceBus.GetProperty("maxAutoLockRenewalDuration").GetString()!, CultureInfo.InvariantCulture);
        var timeout = TimeSpan.Parse(Host.GetProperty("functionTimeout").GetString()!, CultureInfo.InvariantCulture);

        Assert.True(renewal >= timeout, $"lock renewal {renewal} is shorter than functionTimeout {timeout}: a slow message would be redelivered while still running");
    }

    [Fact]
    public void No_prefetch_so_no_lock_expires_on_a_message_waiting_in_a_local_buffer()
    {
        Assert.Equal(0, ServiceBus.GetProperty("prefetchCount").GetInt32());
    }

    [Fact]
    public void Concurrency_and_client_retries_are_bounded()
    {
        Assert.InRange(ServiceBus.GetProperty("maxConcurrentCalls").GetInt32(), 1, 32);
        Assert.InRange(ServiceBus.GetProperty("maxConcurrentSessions").GetInt32(), 1, 16);
        var retry = ServiceBus.GetProperty("clientRetryOptions");
        Assert.Equal("exponential", retry.GetProperty("mode").GetString());
        Assert.InRange(retry.GetProperty("maxRetries").GetInt32(), 1, 5);
    }
}
