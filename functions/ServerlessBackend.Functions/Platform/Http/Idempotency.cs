using System.Security.Cryptography;
using System.Text.Json;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>What tells a retry from another request, and how a response says it answers a retry.</summary>
public static class Idempotency
{
    /// <summary>Set to "true" on a response that a retried create got: the resource its first attempt made.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>SHA-256 (hex) of the request record serialized with the API's options: its meaning, not its bytes (whitespace and property order do not matter).</summary>
    public static string Hash<T>(T request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, ApiJson.Options)));
}
