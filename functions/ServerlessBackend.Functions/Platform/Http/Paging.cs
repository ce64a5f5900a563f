using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>?pageSize=1..100 (default 20) and an opaque ?continuationToken from the previous page.</summary>
public sealed record PageRequest(int PageSize, string? ContinuationToken)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static Outcome<PageRequest> Parse(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new Dictionary<string, string[]>();
        var pageSize = DefaultPageSize;
        if (query.TryGetValue("pageSize", out var sizeText)
            && (!int.TryParse(sizeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
        {
            errors["pageSize"] = [$"Must be a whole number from 1 to {MaxPageSize}."];
        }

        string? token = null;
        if (query.TryGetValue("continuationToken", out var tokenText) && !string.IsNullOrEmpty(tokenText))
        {
            token = Decode(tokenText.ToString());
            if (token is null)
            {
                errors["continuationToken"] = ["Not a token this API issued."];
            }
        }

        return errors.Count > 0 ? ApiError.Validation(errors) : Outcome.Ok<PageRequest>(new PageRequest(pageSize, token));
    }

    /// <summary>The 400 for a token that no list issued, or that another list (tenant, customer, filter) issued.</summary>
    public static ApiError ForeignToken() => ApiError.Field("continuationToken", "Not a token this API issued for this list.");

    /// <summary>The store's token, wrapped so clients treat it as opaque and it travels safely in a URL.</summary>
    public static string? Encode(string? storeToken) =>
        storeToken is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(storeToken));

    private static string? Decode(string text)
    {
        // Only the base64url alphabet: the decoder would skip white space, so "token\n" would pass for "token".
        if (text.Length > 8192 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        try
        {
            // The store's tokens are printable ASCII; anything else never reaches the store (it would travel as a request header).
            var token = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            return token.All(c => c is >= ' ' and <= '~') ? token : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// Binds a store continuation token to the list it continues: the tenant, the customer (for a customer's own orders) and
/// the filter. The token a list hands out starts with a tag of that list, and a list refuses a token with another tag (a
/// 400), so a token issued to another tenant, another customer or for another filter never reaches the store. (The store
/// query is scoped to the caller in any case, so no token could read outside the caller's own data.)
/// </summary>
public static class ContinuationScope
{
    private const int TagLength = 16;

    /// <summary>The scope of one list; <paramref name="parts"/> name it, e.g. the container, tenant, customer and filter (null: none; claims hold no control characters).</summary>
    public static string Of(params string?[] parts) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts.Select(p => p ?? "\0")))))[..TagLength];

    /// <summary>The token to hand out for <paramref name="storeToken"/> in <paramref name="scope"/> (null on the last page).</summary>
    public static string? Bind(string scope, string? storeToken) => storeToken is null ? null : $"{scope}.{storeToken}";

    /// <summary>The store's token from a client's token, when it was issued for <paramref name="scope"/>; null means none given.</summary>
    public static bool TryOpen(string scope, string? token, out string? storeToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        storeToken = null;
        if (token is null)
        {
            return true;
        }

        var prefix = scope + ".";
        if (token.Length == prefix.Length || !token.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        storeToken = token[prefix.Length..];
        return true;
    }
}

/// <summary>The body of every list response.</summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, string? ContinuationToken);

public static class PageResponse
{
    public static PageResponse<T> From<TStored, T>(Page<TStored> page, Func<TStored, T> map)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new PageResponse<T>(page.Items.Select(map).ToList(), PageRequest.Encode(page.ContinuationToken));
    }
}
