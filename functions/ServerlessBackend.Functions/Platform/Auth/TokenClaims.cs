using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// A validated token's payload as JSON, read by each claim's JSON type (the claims identity the token library builds
/// turns a number, boolean or object into its text, and a one-element array into a plain value).
/// </summary>
internal sealed class TokenClaims : IDisposable
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    private readonly JsonDocument _document;

    private TokenClaims(JsonDocument document) => _document = document;

    /// <summary>The payload, or null when it is not one JSON object without duplicate names (then no claim is trusted).</summary>
    public static TokenClaims? Parse(JsonWebToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        try
        {
            var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload), Strict);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return new TokenClaims(document);
            }

            document.Dispose();
            return null;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The claim's value when present (at most once: the parse refuses duplicates), or undefined.</summary>
    public JsonElement Single(string name) =>
        _document.RootElement.TryGetProperty(name, out var value) ? value : default;

    /// <summary>The claim as an identifier: one JSON string, not blank, not too long, printable; otherwise null.</summary>
    public string? Identifier(string name) =>
        Single(name) is { ValueKind: JsonValueKind.String } value ? Usable(value.GetString()) : null;

    /// <summary>
    /// The one value of the claim (a string, or an array of strings) that starts with <paramref name="prefix"/>, without
    /// it, as an <see cref="Identifier"/>; null when no value or more than one does (a token naming two shops names none).
    /// </summary>
    public string? PrefixedIdentifier(string name, string prefix)
    {
        var value = Single(name);
        var values = value.ValueKind switch
        {
            JsonValueKind.String => [value],
            JsonValueKind.Array => value.EnumerateArray().ToArray(),
            _ => Array.Empty<JsonElement>(),
        };
        var matches = values.Where(e => e.ValueKind == JsonValueKind.String && e.GetString()!.StartsWith(prefix, StringComparison.Ordinal)).Take(2).ToList();
        return matches.Count == 1 ? Usable(matches[0].GetString()![prefix.Length..]) : null;
    }

    /// <summary>Whether the claim is the string <paramref name="expected"/> or an array holding that string.</summary>
    public bool HasString(string name, string expected)
    {
        var value = Single(name);
        return value.ValueKind switch
        {
            JsonValueKind.String => value.ValueEquals(expected),
            JsonValueKind.Array => value.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String && e.ValueEquals(expected)),
            _ => false,
        };
    }

    public void Dispose() => _document.Dispose();

    private static string? Usable(string? text) =>
        text is { Length: > 0 and <= AuthOptions.MaxIdentifierLength } && !string.IsNullOrWhiteSpace(text) && PrintableText.IsPrintable(text) ? text : null;
}
