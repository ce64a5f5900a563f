
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Platform.Cosmos;

/// <summary>Reads the database resource: one request that proves endpoint, credential and database.</summary>
public sealed class CosmosReadinessCheck(CosmosContainers containers) : IReadinessCheck
{
    public string Name => "cosmos";

    public Task CheckAsync(CancellationToken cancellationToken) =>
        CosmosErrors.Translate("database", () => containers.Database.ReadAsync(cancellationToken: cancellationToken));
}
