using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>
/// Reads a JSON request body with the API's options: at most <see cref="MaxBytes"/>, application/json only, one
/// leading UTF-8 byte order mark ignored (<see cref="JsonText"/>), numbers must be numbers, and unknown properties are refused (request records carry
/// [JsonUnmappedMemberHandling(Disallow)]), each as a 4xx problem naming the offending field.
/// </summary>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// The Functions host's own limit (app setting FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, 100 MiB by default; host.json has
    /// no such setting): the host reads a whole body before the worker sees it, so it should stop early, yet above
    /// <see cref="MaxBytes"/>, so a body the app refuses still gets the app's 413 problem rather than the host's answer.
    /// </summary>
    public const int HostBodyLimitBytes = 1024 * 1024;

    private const int ChunkBytes = 8192;

    public static async Task<Outcome<T>> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasJsonContentType())
        {
            return new ApiError(ProblemKind.UnsupportedMediaType, "The body must be application/json.");
        }

        var body = await ReadBytesAsync(request, MaxBytes, cancellationToken).ConfigureAwait(false);
        if (body.Error is { } error)
        {
            return error;
        }

        var json = JsonText(body.Value);
        if (json.Length == 0)
        {
            return BodyError("A JSON body is required.");
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(json.Span, ApiJson.Options);
            return value is null ? BodyError("The body must be a JSON object.") : Outcome.Ok<T>(value);
        }
        catch (JsonException e)
        {
            return Describe(e);
        }
    }

    /// <summary>The body's bytes as sent, at most <paramref name="maxBytes"/> (else 413): for JSON, and for a route that checks a signature over the exact bytes.</summary>
    public static async Task<Outcome<ReadOnlyMemory<byte>>> ReadBytesAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        // Sized by Content-Length when given (at most maxBytes, checked above); the read chunk is pooled:
        // this runs on every write request (see the Performance section of the README).
        var buffer = new MemoryStream((int)(request.ContentLength ?? 0));
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk.AsMemory(0, ChunkBytes), cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                {
                    return TooLarge(maxBytes);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return Outcome.Ok<ReadOnlyMemory<byte>>(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    /// <summary>
    /// The JSON text of a body read with <see cref="ReadBytesAsync"/>: the bytes without one leading UTF-8 byte order
    /// mark, which RFC 8259 (8.1) lets parsers ignore and writers with the UTF-8 preamble on send (.NET's
    /// <c>Encoding.UTF8</c> in a StreamWriter, Windows PowerShell 5.1's <c>-Encoding UTF8</c>). Only that one: a second
    /// mark, or one anywhere else, is no JSON. A signature is checked over the body as received, never over this.
    /// </summary>
    public static ReadOnlyMemory<byte> JsonText(ReadOnlyMemory<byte> body) =>
        body.Span.StartsWith(Utf8ByteOrderMark) ? body[Utf8ByteOrderMark.Length..] : body;

    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private static ApiError TooLarge(int maxBytes) => new(ProblemKind.PayloadTooLarge, $"The body is larger than {maxBytes} bytes.");

    // Messages name the field and never the .NET types behind it.
    private static ApiError Describe(JsonException e)
    {
        var field = FieldOf(e.Path);
        var message = e.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return field is null
                ? BodyError("The body has a property this API does not define.")
                : ApiError.Field(field, "Unknown property: this API refuses properties it does not define.");
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            return field is null ? BodyError("Required properties are missing.") : ApiError.Field(field, "Required properties are missing.");
        }

        return field is null ? BodyError("The body is not a JSON object of the expected shape.") : ApiError.Field(field, "The value is not valid JSON of the expected type.");
    }

    /// <summary>
    /// The error key of the field at a System.Text.Json path: the path without its "$" root, the format the request
    /// rules use too (<c>$.lines[0].productId</c> is <c>lines[0].productId</c>, <c>$['a.b']</c> is <c>['a.b']</c>);
    /// null for the body as a whole.
    /// </summary>
    public static string? FieldOf(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
        {
            return null;
        }

        return jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
    }

    // A mistake in the body as a whole names no field: it is told in detail, and errors stays empty.
    private static ApiError BodyError(string detail) => new(ProblemKind.Validation, detail);
}
