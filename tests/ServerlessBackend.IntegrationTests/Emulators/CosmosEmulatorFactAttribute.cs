using Xunit.Sdk;

namespace ServerlessBackend.IntegrationTests.Emulators;

/// <summary>
/// A test that runs against the Cosmos DB emulator only when COSMOS_EMULATOR_ENDPOINT holds its endpoint
/// (e.g. https://localhost:8081/); without it the test is not discovered.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("ServerlessBackend.IntegrationTests.Emulators.OptInFactDiscoverer", "ServerlessBackend.IntegrationTests")]
public sealed class CosmosEmulatorFactAttribute : OptInFactAttribute
{
    public const string Variable = "COSMOS_EMULATOR_ENDPOINT";

    public override bool IsConfigured => Endpoint is not null;

    public static Uri? Endpoint => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? new Uri(value) : null;
}
