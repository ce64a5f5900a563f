using Azure.Messaging.ServiceBus;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Shared.Messaging;

/// <summary>Translates the Service Bus failures that may pass (namespace unreachable, timing out, busy) into <see cref="DependencyUnavailableException"/>.</summary>
internal static class ServiceBusErrors
{
    public const string Dependency = "Service Bus";

    public static async Task<T> Translate<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (ServiceBusException e) when (e.IsTransient)
        {
            // The reason, never the SDK's message: that one carries a stack trace of its own.
            throw new DependencyUnavailableException(Dependency, e.Reason.ToString(), inner: e);
        }
    }

    public static Task Translate(Func<Task> operation) => Translate(async () =>
    {
        await operation().ConfigureAwait(false);
        return true;
    });
}
