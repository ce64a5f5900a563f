using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ServerlessBackend.Tests.Support;

/// <summary>Stripe webhook requests as Stripe sends them: an event around an object, and its Stripe-Signature header.</summary>
public static class StripeEvents
{
    /// <summary>As Stripe documents it: <c>t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{payload}" under the endpoint secret}</c>.</summary>
    public static string SignatureHeader(string payload, string secret, DateTimeOffset at) =>
        $"t={at.ToUnixTimeSeconds()},v1={Signature(payload, secret, at.ToUnixTimeSeconds())}";

    public static string Signature(string payload, string secret, long timestamp) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}")));

    /// <summary>An event of <paramref name="type"/> whose data.object is (a copy of) <paramref name="dataObject"/>.</summary>
    public static string Event(string type, JsonNode dataObject, string? id = null) => new JsonObject
    {
        ["id"] = id ?? $"evt_{Guid.NewGuid():N}",
        ["object"] = "event",
        ["api_version"] = "2026-10-28.endive",
        ["created"] = 1764331200,
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["type"] = type,
        ["data"] = new JsonObject { ["object"] = dataObject.DeepClone() },
    }.ToJsonString();

    public static string EventId(string payload) => JsonNode.Parse(payload)!["id"]!.GetValue<string>();
}
