using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;

namespace ServerlessBackend.Functions.Shared.Http;

/// <summary>
/// The app's HTTP routes, read from the [HttpTrigger] attributes of its functions: the same attributes the Worker SDK
/// writes into functions.metadata, from which the host builds its routes. Templates are relative to the host's route prefix.
/// </summary>
public sealed class RouteTable
{
    private readonly IReadOnlyList<(string Template, TemplateMatcher Matcher, IReadOnlyList<string> Methods)> _routes;

    public RouteTable(IEnumerable<(string Template, IEnumerable<string> Methods)> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _routes = [.. routes
            .Where(r => !IsCatchAll(r.Template))
            .Select(r => (r.Template, new TemplateMatcher(TemplateParser.Parse(r.Template), new RouteValueDictionary()), (IReadOnlyList<string>)[.. r.Methods.Select(m => m.ToUpperInvariant())]))];
    }

    /// <summary>The routes of this assembly's functions.</summary>
    public static RouteTable App { get; } = new(FromAssembly(typeof(RouteTable).Assembly));

    /// <summary>The (route, methods) of each HTTP-triggered [Function] in <paramref name="assembly"/>.</summary>
    public static IEnumerable<(string Template, IEnumerable<string> Methods)> FromAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null)
            .SelectMany(m => m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>())
            .Select(t => (t.Route ?? "", (IEnumerable<string>)(t.Methods ?? [])));
    }

    /// <summary>A template that claims every path below it (<c>{*rest}</c>).</summary>
    public static bool IsCatchAll(string template) => template.StartsWith("{*", StringComparison.Ordinal);

    /// <summary>The methods the routes whose template matches <paramref name="path"/> (relative to the route prefix) serve, upper case and ordered; none for an unknown path.</summary>
    public IReadOnlyList<string> MethodsFor(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var requestPath = new PathString("/" + path.TrimStart('/'));
        return [.. _routes
            .Where(r => r.Matcher.TryMatch(requestPath, new RouteValueDictionary()))
            .SelectMany(r => r.Methods)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }
}
