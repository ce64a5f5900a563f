using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Functions.Shared.Http;

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

    /// <summary>The store's token, wrapped so clients treat it as opaque and it travels safely in a URL.</summary>
    public static string? Encode(string? storeToken) =>
        storeToken is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(storeToken));

    private static string? Decode(string text)
    {
        if (text.Length > 8192)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
        }
        catch (FormatException)
        {
            return null;
        }
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
