using System.Net.Security;
using Azure.Core;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Platform.Cosmos;

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
        // A span per operation on the Azure.Cosmos.Operation source (off by default in the non-preview SDK); query text stays out.
        CosmosClientTelemetryOptions = new CosmosClientTelemetryOptions { DisableDistributedTracing = false, QueryTextMode = QueryTextMode.None },
    };

    /// <summary>
    /// The rules for a local endpoint, checked at startup and again when the client is built: a loopback
    /// endpoint (an emulator) only in Development, and an untrusted certificate only for a loopback endpoint
    /// in Development, when <see cref="AppSettings.CosmosAllowUntrustedLoopbackCertificate"/> opts in.
    /// </summary>
    public static void Validate(Uri endpoint, bool isDevelopment, bool allowUntrustedLoopbackCertificate)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (allowUntrustedLoopbackCertificate && !endpoint.IsLoopback)
        {
            throw new InvalidOperationException(
                $"{AppSettings.CosmosAllowUntrustedLoopbackCertificate} is set but {AppSettings.CosmosAccountEndpoint} ({endpoint}) is not a loopback endpoint: certificates are only ever skipped for a local server.");
        }

        if (endpoint.IsLoopback && !isDevelopment)
        {
            throw new InvalidOperationException(
                allowUntrustedLoopbackCertificate
                    ? $"{AppSettings.CosmosAllowUntrustedLoopbackCertificate} is set outside Development: certificates are only ever skipped for a local server in Development."
                    : "A loopback Cosmos endpoint (the emulator) is only allowed in Development.");
        }
    }

    /// <summary>The opted-in local server's certificate: any presented certificate (self-signed, another name), never none.</summary>
    internal static bool AcceptsLocalCertificate(SslPolicyErrors errors) => errors != SslPolicyErrors.RemoteCertificateNotAvailable;

    public static CosmosClient Create(Uri endpoint, TokenCredential credential, bool isDevelopment, CosmosClientOptions? options = null, bool allowUntrustedLoopbackCertificate = false)
    {
        Validate(endpoint, isDevelopment, allowUntrustedLoopbackCertificate);
        options ??= DefaultOptions();
        if (endpoint.IsLoopback)
        {
            // A local server serves Gateway mode only, and may advertise an address other than the one we reach it on.
            options.ConnectionMode = ConnectionMode.Gateway;
            options.LimitToEndpoint = true;
            if (allowUntrustedLoopbackCertificate)
            {
                // Validate() has proven the endpoint is loopback, and LimitToEndpoint keeps every request on it.
                options.ServerCertificateCustomValidationCallback = (_, _, errors) => AcceptsLocalCertificate(errors);
            }

            return new CosmosClient(endpoint.ToString(), EmulatorKey, options);
        }

        return new CosmosClient(endpoint.ToString(), credential, options);
    }
}
