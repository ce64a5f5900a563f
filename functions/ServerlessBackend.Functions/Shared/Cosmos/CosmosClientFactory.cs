using Azure.Core;
using Microsoft.Azure.Cosmos;

namespace ServerlessBackend.Functions.Shared.Cosmos;

/// <summary>
/// Builds the app's one <see cref="CosmosClient"/>: Entra ID (managed identity) in Azure; the
/// emulator's published well-known key only for a loopback endpoint in Development.
/// </summary>
public static class CosmosClientFactory
{
    // The Cosmos DB emulator's documented, fixed account key: not a secret, and only accepted for loopback endpoints.
    public const string EmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    public static CosmosClientOptions DefaultOptions() => new()
    {
        Serializer = new CosmosJsonSerializer(),
        ApplicationName = "serverless-backend",
        // Writes whose body the caller needs ask for it explicitly.
        EnableContentResponseOnWrite = false,
        // The SDK retries 429s itself for up to this long before we answer 503 with Retry-After.
        MaxRetryAttemptsOnRateLimitedRequests = 3,
        MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(5),
    };

    public static CosmosClient Create(Uri endpoint, TokenCredential credential, bool isDevelopment, CosmosClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        options ??= DefaultOptions();
        if (endpoint.IsLoopback)
        {
            if (!isDevelopment)
            {
                throw new InvalidOperationException("A loopback Cosmos endpoint (the emulator) is only allowed in Development.");
            }

            // The emulator serves Gateway mode only.
            options.ConnectionMode = ConnectionMode.Gateway;
            return new CosmosClient(endpoint.ToString(), EmulatorKey, options);
        }

        return new CosmosClient(endpoint.ToString(), credential, options);
    }
}
