using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions;
using ServerlessBackend.LocalHost;

// Usage, like `func start` in a Functions build output: ServerlessBackend.LocalHost [start] [--port 7071]
// App settings come from the environment, then from local.settings.json's Values for names the environment lacks.
var port = 7071;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--port")
    {
        port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }
}

var scriptRoot = Directory.GetCurrentDirectory();
if (!File.Exists(Path.Combine(scriptRoot, "functions.metadata")))
{
    Console.Error.WriteLine($"No functions.metadata in {scriptRoot}: run the local host in the Functions app's build output.");
    return 1;
}

ApplyLocalSettings(Path.Combine(scriptRoot, "local.settings.json"));
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    ContentRootPath = scriptRoot,
    EnvironmentName = Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT") ?? Environments.Development,
});
builder.WebHost.UseKestrel(kestrel =>
{
    kestrel.ListenLocalhost(port);
    // The host's request body limit (its default, 100 MiB, unless FUNCTIONS_REQUEST_BODY_SIZE_LIMIT sets another), set on
    // Kestrel as the host's HttpRequestSizeMiddleware sets it on each request.
    kestrel.Limits.MaxRequestBodySize = long.TryParse(Environment.GetEnvironmentVariable("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"), out var limit) ? limit : 100L * 1024 * 1024;
});
// Request logs stay quiet (the host logs invocations, not Kestrel's request lines); the app's own logs still show.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var pipeline = new WorkerPipeline(builder.Services);
ServerlessBackendApp.Compose(pipeline, builder.Configuration, builder.Environment);

var app = builder.Build();
var routes = HostRoutes.Load(scriptRoot);
var invoker = new FunctionInvoker(app.Services, pipeline, typeof(ServerlessBackendApp).Assembly);
app.Run(async http =>
{
    RouteMatch? match;
    try
    {
        match = await routes.MatchAsync(http);
    }
    catch (AmbiguousRouteException e)
    {
        // Stricter than the host, which would pick one by order: the run fails loudly, naming both functions.
        Console.Error.WriteLine($"Ambiguous route: {e.Message}");
        http.Response.StatusCode = StatusCodes.Status500InternalServerError;
        await http.Response.WriteAsync($"Local host: ambiguous route: {e.Message}");
        return;
    }

    if (match is not null)
    {
        await invoker.InvokeAsync(match, http);
    }
    else
    {
        http.Response.StatusCode = 404;
    }
});
Console.WriteLine($"Local host (a stand-in for the Functions host's HTTP routing) for {routes.Functions.Count} HTTP functions on http://localhost:{port}/{routes.RoutePrefix}");
await app.RunAsync();
return 0;

static void ApplyLocalSettings(string path)
{
    if (!File.Exists(path))
    {
        return;
    }

    using var settings = JsonDocument.Parse(File.ReadAllText(path));
    if (!settings.RootElement.TryGetProperty("Values", out var values))
    {
        return;
    }

    foreach (var value in values.EnumerateObject())
    {
        if (Environment.GetEnvironmentVariable(value.Name) is null)
        {
            Environment.SetEnvironmentVariable(value.Name, value.Value.ToString());
        }
    }
}
