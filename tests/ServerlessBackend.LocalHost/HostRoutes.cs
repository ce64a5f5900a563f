using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServerlessBackend.LocalHost;

/// <summary>An HTTP-triggered function as functions.metadata declares it; <see cref="Methods"/> is null when the binding names none (every method).</summary>
public sealed record HttpFunction(string Name, string EntryPoint, string Route, IReadOnlyList<string>? Methods, IReadOnlyList<FunctionBinding> Bindings);

public sealed record FunctionBinding(string Name, string Type, string Direction);

public sealed record RouteMatch(HttpFunction Function, RouteValueDictionary Values);

/// <summary>
/// The host's HTTP routing over the app's generated functions.metadata: one ASP.NET Core <see cref="Route"/> per function
/// (template = route prefix from host.json + the function's route, an <see cref="HttpMethodRouteConstraint"/> when the
/// binding lists methods), added to one <see cref="RouteCollection"/> in the host's order and never sorted: the
/// functions ordered by name, ordinal and case-insensitive (the host's FunctionMetadataManager sorts the indexed
/// metadata so; its WebScriptHostHttpRoutesManager maps them in that order; WebJobsRouteBuilder.Build keeps it). The
/// first route whose template and constraints match takes the request, however specific a later one is; none: the
/// host's empty 404. Sources: tests/README.md, "The local host".
/// </summary>
public sealed class HostRoutes
{
    private const string FunctionToken = "function";

    private readonly RouteCollection _routes = new();
    private readonly ServiceProvider _routingServices;

    public HostRoutes(IEnumerable<HttpFunction> functions, string routePrefix)
    {
        ArgumentNullException.ThrowIfNull(functions);
        Functions = [.. functions];
        RoutePrefix = routePrefix;
        _routingServices = new ServiceCollection().AddLogging().AddRouting().BuildServiceProvider();
        // The host registers ASP.NET Core routing in full, so inline constraints include regex.
        var resolver = new DefaultInlineConstraintResolver(_routingServices.GetRequiredService<IOptions<RouteOptions>>(), _routingServices);
        foreach (var function in Functions.OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase))
        {
            _routes.Add(new Route(
                new RouteHandler(_ => Task.CompletedTask),
                function.Name,
                string.IsNullOrEmpty(routePrefix) ? function.Route : $"{routePrefix}/{function.Route}",
                defaults: null,
                constraints: function.Methods is { } methods ? new Dictionary<string, object> { ["httpMethod"] = new HttpMethodRouteConstraint([.. methods]) } : null,
                dataTokens: new RouteValueDictionary { [FunctionToken] = function.Name },
                resolver));
        }
    }

    public IReadOnlyList<HttpFunction> Functions { get; }

    public string RoutePrefix { get; }

    /// <summary>The HTTP functions of <paramref name="scriptRoot"/> (a Functions build output: functions.metadata, host.json), less those disabled with <c>AzureWebJobs.{name}.Disabled</c>.</summary>
    public static HostRoutes Load(string scriptRoot, Func<string, string?>? setting = null)
    {
        setting ??= Environment.GetEnvironmentVariable;
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(scriptRoot, "host.json")));
        var prefix = host.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var value)
                ? value.GetString() ?? ""
                : "api";
        var functions = ReadHttpFunctions(Path.Combine(scriptRoot, "functions.metadata"))
            .Where(f => !string.Equals(setting($"AzureWebJobs.{f.Name}.Disabled"), "true", StringComparison.OrdinalIgnoreCase));
        return new HostRoutes(functions, prefix.Trim('/'));
    }

    public static IReadOnlyList<HttpFunction> ReadHttpFunctions(string metadataPath)
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(metadataPath));
        return [.. metadata.RootElement.EnumerateArray().Select(f =>
        {
            var bindings = f.GetProperty("bindings").EnumerateArray().ToList();
            var trigger = bindings.SingleOrDefault(b => b.GetProperty("type").GetString() == "httpTrigger");
            if (trigger.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var name = f.GetProperty("name").GetString()!;
            // The host would demand a function key for any other level; the local host has no keys.
            if (trigger.TryGetProperty("authLevel", out var level) && level.GetString() != "Anonymous")
            {
                throw new NotSupportedException($"{name}: the local host serves only anonymous HTTP functions (authLevel {level.GetString()}).");
            }

            return new HttpFunction(
                name,
                f.GetProperty("entryPoint").GetString()!,
                trigger.TryGetProperty("route", out var route) ? route.GetString()! : name,
                trigger.TryGetProperty("methods", out var methods) ? [.. methods.EnumerateArray().Select(m => m.GetString()!)] : null,
                [.. bindings.Select(b => new FunctionBinding(b.GetProperty("name").GetString()!, b.GetProperty("type").GetString()!, b.GetProperty("direction").GetString()!))]);
        }).OfType<HttpFunction>()];
    }

    /// <summary>The function the host would invoke for this request, with the route values it would bind; null for the host's own 404.</summary>
    public async Task<RouteMatch?> MatchAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.RequestServices;
        context.RequestServices = _routingServices;
        try
        {
            var routing = new RouteContext(context);
            await _routes.RouteAsync(routing);
            if (routing.Handler is null)
            {
                return null;
            }

            var name = (string)routing.RouteData.DataTokens[FunctionToken]!;
            return new RouteMatch(Functions.Single(f => f.Name == name), new RouteValueDictionary(routing.RouteData.Values));
        }
        finally
        {
            context.RequestServices = services;
        }
    }

    /// <summary><see cref="MatchAsync(HttpContext)"/> for a method and a path (with its escapes, as on the wire).</summary>
    public Task<RouteMatch?> MatchAsync(string method, string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = PathString.FromUriComponent(path);
        return MatchAsync(context);
    }
}
