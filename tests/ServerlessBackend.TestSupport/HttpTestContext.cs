using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// A real <see cref="DefaultHttpContext"/> for calling HTTP functions directly, and the response
/// after executing what the function returned, as the ASP.NET Core integration would.
/// </summary>
public sealed class HttpTestContext
{
    private HttpTestContext(DefaultHttpContext context) => Context = context;

    public DefaultHttpContext Context { get; }

    public HttpRequest Request => Context.Request;

    public static HttpTestContext Create(string method, string path, string? body = null, IDictionary<string, string>? headers = null, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        collection.AddLogging();
        collection.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        collection.AddApiProblemDetails();
        services?.Invoke(collection);

        var context = new DefaultHttpContext { RequestServices = collection.BuildServiceProvider() };
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("localhost", 7071);
        var queryStart = path.IndexOf('?', StringComparison.Ordinal);
        context.Request.Path = queryStart < 0 ? path : path[..queryStart];
        if (queryStart >= 0)
        {
            context.Request.QueryString = new QueryString(path[queryStart..]);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Request.Headers[name] = value;
        }

        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType ??= "application/json";
        }

        context.Response.Body = new MemoryStream();
        return new HttpTestContext(context);
    }

    /// <summary>Executes the function's result against this context and captures the response.</summary>
    public async Task<TestResponse> ExecuteAsync(IResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        await result.ExecuteAsync(Context);
        return await ReadResponseAsync();
    }

    /// <summary>The response as written so far (e.g. by a middleware that answered without running the function).</summary>
    public async Task<TestResponse> ReadResponseAsync()
    {
        Context.Response.Body.Position = 0;
        using var reader = new StreamReader(Context.Response.Body, Encoding.UTF8, leaveOpen: true);
        var body = await reader.ReadToEndAsync();
        return new TestResponse(Context.Response.StatusCode, Context.Response.Headers, Context.Response.ContentType, body) { TraceId = TelemetryTags.CurrentTraceId() };
    }
}

public sealed record TestResponse(int StatusCode, IHeaderDictionary Headers, string? ContentType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The trace the request ran in (the invocation's span), null when it ran outside any.</summary>
    public string? TraceId { get; init; }
}
