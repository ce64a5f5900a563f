using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Features.Operations;

/// <summary>Serves the OpenAPI 3 document (OpenApi/openapi.json, embedded at build time) to authenticated callers (the auth middleware runs first).</summary>
public static class OpenApiFunction
{
    public const string ResourceName = "ServerlessBackend.Functions.OpenApi.openapi.json";

    private static readonly Lazy<byte[]> Document = new(() =>
    {
        using var stream = typeof(OpenApiFunction).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    [Function("OpenApiDocument")]
    public static Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.OpenApiDocument)] HttpRequest request) =>
        MethodDispatch.ServeAsync(request, get: () => Task.FromResult(Serve(request)));

    private static IResult Serve(HttpRequest request)
    {
        request.HttpContext.Response.Headers.CacheControl = "private, max-age=300";
        return Results.Bytes(Document.Value, "application/json");
    }
}
