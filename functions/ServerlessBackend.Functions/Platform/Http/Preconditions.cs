using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>ETag / If-Match / If-None-Match handling: updates must say which version they change; reads may ask whether theirs is current.</summary>
public static class Preconditions
{
    /// <summary>The If-Match value, or a 428 problem when the header is missing.</summary>
    public static Outcome<string> RequireIfMatch(HttpRequest request)
    {
        var value = OptionalIfMatch(request);
        if (value.Error is { } error)
        {
            return error;
        }

        return value.Value is null
            ? new ApiError(ProblemKind.PreconditionRequired, "This update needs an If-Match header with the ETag from a read of the resource.")
            : Outcome.Ok<string>(value.Value);
    }

    /// <summary>The If-Match value (null when absent), or a 400 problem when it is not one strong entity tag.</summary>
    public static Outcome<string?> OptionalIfMatch(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = HeaderValues.TrimOptionalWhiteSpace(request.Headers[HeaderNames.IfMatch].ToString());
        if (value.Length == 0)
        {
            return Outcome.Ok<string?>(null);
        }

        return IsStrongTag(value) ? Outcome.Ok<string?>(value) : ApiError.Field("If-Match", "Must be one ETag exactly as returned, quotes included.");
    }

    /// <summary>
    /// One strong entity tag (RFC 9110 8.8.3): quotes around visible ASCII characters other than the quote. Anything else
    /// (a control character, a non-ASCII one) is refused here, before it could reach the store as a request header.
    /// </summary>
    public static bool IsStrongTag(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length >= 2 && value[0] == '"' && value[^1] == '"' && value[1..^1].All(c => c is >= '!' and <= '~' and not '"');
    }

    /// <summary>
    /// The If-None-Match entity tags (null when absent; ["*"] for the wildcard), or a 400 problem when the value is not
    /// "*" or a comma-separated list of entity tags, weak ones (W/"...") included (RFC 9110 13.1.2).
    /// </summary>
    public static Outcome<IReadOnlyList<string>?> OptionalIfNoneMatch(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = HeaderValues.TrimOptionalWhiteSpace(request.Headers[HeaderNames.IfNoneMatch].ToString());
        if (value.Length == 0)
        {
            return Outcome.Ok<IReadOnlyList<string>?>(null);
        }

        if (value == "*")
        {
            return Outcome.Ok<IReadOnlyList<string>?>(["*"]);
        }

        var tags = ParseTagList(value);
        return tags is null
            ? ApiError.Field("If-None-Match", "Must be \"*\" or ETags exactly as returned, quotes included, separated by commas.")
            : Outcome.Ok<IReadOnlyList<string>?>(tags);
    }

    /// <summary>
    /// Whether If-None-Match holds the current ETag by weak comparison (RFC 9110 8.8.3.2: the opaque tags are equal,
    /// W/ or not), or is the wildcard: the client's copy is current and the answer is 304.
    /// </summary>
    public static bool IsNotModified(IReadOnlyList<string>? ifNoneMatch, string etag)
    {
        ArgumentNullException.ThrowIfNull(etag);
        return ifNoneMatch is not null && ifNoneMatch.Any(tag => tag == "*" || Opaque(tag) == Opaque(etag));
    }

    /// <summary>304 with the ETag and no body when If-None-Match matches, otherwise the full answer.</summary>
    public static IResult NotModifiedOr(HttpResponse response, IReadOnlyList<string>? ifNoneMatch, string etag, Func<IResult> full)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(full);
        if (!IsNotModified(ifNoneMatch, etag))
        {
            return full();
        }

        SetETag(response, etag);
        return Results.StatusCode(StatusCodes.Status304NotModified);
    }

    private static string Opaque(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;

    /// <summary>1#entity-tag with optional white space around the commas (empty elements allowed, RFC 9110 5.6.1); null when malformed.</summary>
    private static List<string>? ParseTagList(string value)
    {
        var tags = new List<string>();
        var i = 0;
        while (i < value.Length)
        {
            while (i < value.Length && value[i] is ' ' or '\t' or ',')
            {
                i++;
            }

            if (i == value.Length)
            {
                break;
            }

            var start = i;
            if (string.CompareOrdinal(value, i, "W/", 0, 2) == 0)
            {
                i += 2;
            }

            var close = i < value.Length && value[i] == '"' ? value.IndexOf('"', i + 1) : -1;
            if (close < 0 || !IsStrongTag(value[i..(close + 1)]))
            {
                return null;
            }

            tags.Add(value[start..(close + 1)]);
            i = close + 1;
            while (i < value.Length && value[i] is ' ' or '\t')
            {
                i++;
            }

            if (i < value.Length && value[i] != ',')
            {
                return null;
            }
        }

        return tags.Count == 0 ? null : tags;
    }

    /// <summary>Sets the ETag response header (the store's ETag is already a quoted entity tag).</summary>
    public static void SetETag(HttpResponse response, string etag)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers[HeaderNames.ETag] = etag;
    }
}
