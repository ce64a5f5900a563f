using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ServerlessBackend.Functions.Shared.Http;

/// <summary>
/// Reads a JSON request body with the API's options: at most <see cref="MaxBytes"/>, application/json only,
/// numbers must be numbers, and unknown properties are refused (request records carry
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

        if (request.ContentLength > MaxBytes)
        {
            return TooLarge();
        }

        // Sized by Content-Length when given (at most MaxBytes, checked above); the read chunk is pooled:
        // this runs on every write request (see the Performance section of the README).
        using var buffer = new MemoryStream((int)(request.ContentLength ?? 0));
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk.AsMemory(0, ChunkBytes), cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxBytes)
                {
                    return TooLarge();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (buffer.Length == 0)
        {
            return ApiError.Field("$", "A JSON body is required.");
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), ApiJson.Options);
            return value is null ? ApiError.Field("$", "A JSON object is required.") : Outcome.Ok<T>(value);
        }
        catch (JsonException e)
        {
            return Describe(e);
        }
    }

    private static ApiError TooLarge() => new(ProblemKind.PayloadTooLarge, $"The body is larger than {MaxBytes} bytes.");

    // Messages name the JSON path and never the .NET types behind it.
    private static ApiError Describe(JsonException e)
    {
        var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
        var message = e.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var start = message.IndexOf('\'', StringComparison.Ordinal) + 1;
            var end = message.IndexOf('\'', start);
            var name = start > 0 && end > start ? message[start..end] : "?";
            return ApiError.Field(path == "$" ? $"$.{name}" : path, "Unknown property: this API refuses properties it does not define.");
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            return ApiError.Field(path, "Required properties are missing.");
        }

        return ApiError.Field(path, "The value is not valid JSON of the expected type.");
    }
}
