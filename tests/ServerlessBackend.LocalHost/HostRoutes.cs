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

/// <summary>A request that the routes of several functions match: the host would give it to the first in its order (<see cref="HostsChoice"/>), the local host refuses.</summary>
public sealed class AmbiguousRouteException(string request, IReadOnlyList<string> matching)
    : Exception($"{request} matches the routes of {string.Join(" and ", matching)}; the host would give it to {matching[0]} only because of its registration order.")
{
    /// <summary>The functions whose routes match, in the host's order.</summary>
    public IReadOnlyList<string> Matching { get; } = matching;

    public string HostsChoice => Matching[0];
}

/// <summary>
/// The host's HTTP routing over the app's generated functions.metadata: one ASP.NET Core <see cref="Route"/> per function
/// (template = route prefix from host.json + the function's route, an <see cref="HttpMethodRouteConstraint"/> when the
/// binding lists methods), added to one <see cref="RouteCollection"/> in the host's order and never sorted: the
/// functions ordered by name, ordinal and case-insensitive (the host's FunctionMetadataManager sorts the indexed
/// metadata so; its WebScriptHostHttpRoutesManager maps them in that order; WebJobsRouteBuilder.Build keeps it). The
/// first route whose template and constraints match takes the request, however specific a later one is; none: the
/// host's empty 404. Sources: tests/README.md, "The local host".
/// Stricter than the host in one way: a request that more than one function's route matches is refused
/// (<see cref="AmbiguousRouteException"/>), so an overlap fails here even where the host's order happens to hide it.
/// Like the host (ScriptHost.ValidateFunction), two functions with the same route and a method in common are refused at load.
/// </summary>
public sealed class HostRoutes
{
    private const string FunctionToken = "function";

    private readonly RouteCollection _routes = new();
    private readonly List<Route> _each = [];
    private readonly ServiceProvider _routingServices;

    public HostRoutes(IEnumerable<HttpFunction> functions, string routePrefix)
    {
        ArgumentNullException.ThrowIfNull(functions);
        Functions = [.. functions];
        RoutePrefix = routePrefix;
        _routingServices = new ServiceCollection().AddLogging().AddRouting().BuildServiceProvider();
        // The host registers ASP.NET Core routing in full, so inline constraints include regex.
        var resolver = new DefaultInlineConstraintResolver(_routingServices.GetRequiredService<IOptions<RouteOptions>>(), _routingServices);
        RefuseConflictingRoutes(Functions);
        foreach (var function in Functions.OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase))
        {
            var route = new Route(
                new RouteHandler(_ => Task.CompletedTask),
                function.Name,
                string.IsNullOrEmpty(routePrefix) ? function.Route : $"{routePrefix}/{function.Route}",
                defaults: null,
                constraints: function.Methods is { } methods ? new Dictionary<string, object> { ["httpMethod"] = new HttpMethodRouteConstraint([.. methods]) } : null,
                dataTokens: new RouteValueDictionary { [FunctionToken] = function.Name },
                resolver);
            _routes.Add(route);
            _each.Add(route);
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

    /// <summary>
    /// The function the host would invoke for this request, with the route values it would bind; null for the host's own
    /// 404. Throws <see cref="AmbiguousRouteException"/> when the routes of several functions match it.
    /// </summary>
    public async Task<RouteMatch?> MatchAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.RequestServices;
        context.RequestServices = _routingServices;
        try
        {
            var matching = new List<string>();
            foreach (var route in _each)
            {
                var alone = new RouteContext(context);
                await route.RouteAsync(alone);
                if (alone.Handler is not null)
                {
                    matching.Add(route.Name!);
                }
            }

            if (matching.Count > 1)
            {
                throw new AmbiguousRouteException($"{context.Request.Method} {context.Request.Path}", matching);
            }

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

    // ScriptHost.ValidateFunction: the same route (ignoring case and outer slashes) with a method in common, or no method
    // list on either, is a function error and the later function is not loaded; here the whole app is refused.
    private static void RefuseConflictingRoutes(IReadOnlyList<HttpFunction> functions)
    {
        foreach (var (first, i) in functions.Select((f, i) => (f, i)))
        {
            foreach (var second in functions.Skip(i + 1))
            {
                var sameRoute = string.Equals(first.Route.Trim('/'), second.Route.Trim('/'), StringComparison.OrdinalIgnoreCase);
                var sharedMethod = first.Methods is not { Count: > 0 } || second.Methods is not { Count: > 0 }
                    || first.Methods.Intersect(second.Methods, StringComparer.OrdinalIgnoreCase).Any();
                if (sameRoute && sharedMethod)
                {
                    throw new InvalidOperationException($"{second.Name}: the route conflicts with the route defined by function '{first.Name}' (the host would not load it).");
                }
            }
        }
    }
}
