using Xunit.Sdk;

namespace ServerlessBackend.IntegrationTests.Emulators;

/// <summary>
/// A test that runs against the Service Bus emulator (configured with servicebus-emulator-config.json) only
/// when SERVICEBUS_EMULATOR_CONNECTION holds its connection string; without it the test is not discovered.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("ServerlessBackend.IntegrationTests.Emulators.OptInFactDiscoverer", "ServerlessBackend.IntegrationTests")]
public sealed class ServiceBusEmulatorFactAttribute : OptInFactAttribute
{
    public const string Variable = "SERVICEBUS_EMULATOR_CONNECTION";

    public override bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString);

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable);
}
