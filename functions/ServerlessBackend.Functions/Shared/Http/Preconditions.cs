using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ServerlessBackend.Functions.Shared.Http;

/// <summary>ETag / If-Match handling: updates must say which version they change.</summary>
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

    /// <summary>Sets the ETag response header (the store's ETag is already a quoted entity tag).</summary>
    public static void SetETag(HttpResponse response, string etag)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers[HeaderNames.ETag] = etag;
    }
}
