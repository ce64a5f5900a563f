namespace ServerlessBackend.Tests.Emulators;

/// <summary>
/// A test that runs against the Service Bus emulator (configured with servicebus-emulator-config.json) only
/// when SERVICEBUS_EMULATOR_CONNECTION holds its connection string; it is reported as skipped otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ServiceBusEmulatorFactAttribute : FactAttribute
{
    public const string Variable = "SERVICEBUS_EMULATOR_CONNECTION";

    public ServiceBusEmulatorFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            Skip = $"Set {Variable} to the Service Bus emulator's connection string to run this test (see README, Messaging).";
        }
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable);
}
