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
/// binding lists methods), tried in the host's order: segment by segment a literal before a parameter, among parameters
/// the one with more inline constraints first, literals by case-insensitive text, and a longer template before a shorter
/// one it extends. The first route whose template and constraints match takes the request; none: the host's empty 404.
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
        var resolver = new DefaultInlineConstraintResolver(Options.Create(new RouteOptions()), _routingServices);
        var routes = Functions.Select(f => new Route(
            new RouteHandler(_ => Task.CompletedTask),
            f.Name,
            string.IsNullOrEmpty(routePrefix) ? f.Route : $"{routePrefix}/{f.Route}",
            defaults: null,
            constraints: f.Methods is { } methods ? new Dictionary<string, object> { ["httpMethod"] = new HttpMethodRouteConstraint([.. methods]) } : null,
            dataTokens: new RouteValueDictionary { [FunctionToken] = f.Name },
            resolver)).ToList();
        routes.Sort((x, y) => HostOrder(x.ParsedTemplate, y.ParsedTemplate));
        foreach (var route in routes)
        {
            _routes.Add(route);
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

    private static int HostOrder(Microsoft.AspNetCore.Routing.Template.RouteTemplate x, Microsoft.AspNetCore.Routing.Template.RouteTemplate y)
    {
        for (var i = 0; i < Math.Min(x.Segments.Count, y.Segments.Count); i++)
        {
            var a = x.Segments[i].Parts[0];
            var b = y.Segments[i].Parts[0];
            if (a.IsParameter != b.IsParameter)
            {
                return a.IsParameter ? 1 : -1;
            }

            var order = a.IsParameter
                ? b.InlineConstraints.Count().CompareTo(a.InlineConstraints.Count())
                : string.Compare(a.Text, b.Text, StringComparison.OrdinalIgnoreCase);
            if (order != 0)
            {
                return order;
            }
        }

        return y.Segments.Count.CompareTo(x.Segments.Count);
    }
}
