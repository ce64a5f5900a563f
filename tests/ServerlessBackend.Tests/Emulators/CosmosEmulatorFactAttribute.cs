namespace ServerlessBackend.Tests.Emulators;

/// <summary>
/// A test that runs against the Cosmos DB emulator only when COSMOS_EMULATOR_ENDPOINT holds its endpoint
/// (e.g. https://localhost:8081/); it is reported as skipped otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CosmosEmulatorFactAttribute : FactAttribute
{
    public const string Variable = "COSMOS_EMULATOR_ENDPOINT";

    public CosmosEmulatorFactAttribute()
    {
        if (Endpoint is null)
        {
            Skip = $"Set {Variable} to the Cosmos DB emulator's endpoint to run this test (see README, Cosmos DB locally).";
        }
    }

    public static Uri? Endpoint => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? new Uri(value) : null;
}
