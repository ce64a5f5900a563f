using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.LocalHost;

namespace ServerlessBackend.Tests.Support;

/// <summary>The Functions app's generated functions.metadata (real Worker SDK output).</summary>
public static class FunctionsMetadata
{
    private static readonly Lazy<JsonElement> Document = new(() =>
    {
        var path = Path.Combine(RepoPaths.FunctionsOutput, "functions.metadata");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: build the Functions app in the same configuration as the tests.");
        }

        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
    });

    private static readonly Lazy<HostRoutes> Routes = new(() => HostRoutes.Load(RepoPaths.FunctionsOutput));

    public static IEnumerable<JsonElement> Functions => Document.Value.EnumerateArray();

    public static JsonElement Function(string name) =>
        Functions.SingleOrDefault(f => f.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } function
            ? function
            : throw new InvalidOperationException($"functions.metadata has no function named '{name}'.");

    public static IEnumerable<JsonElement> Bindings(string name) => Function(name).GetProperty("bindings").EnumerateArray();

    public static JsonElement Trigger(string name) =>
        Bindings(name).Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    /// <summary>
    /// The entry point of the function the host routes this request to: ASP.NET Core routing over functions.metadata in
    /// the host's route order (<see cref="HostRoutes"/>); null outside the route prefix.
    /// </summary>
    public static async Task<string?> EntryPointForAsync(string method, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return (await Routes.Value.MatchAsync(method, path.Split('?')[0]))?.Function.EntryPoint;
    }

    /// <summary>The HTTP functions of the generated metadata that serve a route of the API: all but the catch-all for unknown paths.</summary>
    public static IReadOnlyList<HttpFunction> RouteFunctions =>
        [.. Routes.Value.Functions.Where(f => f.Name != UnmatchedRouteFunction.Name)];

    /// <summary>
    /// The methods <paramref name="function"/> serves, upper case, as it answers OPTIONS itself (its Allow header).
    /// </summary>
    public static async Task<IReadOnlyList<string>> ServedMethodsAsync(HttpFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var http = HttpTestContext.Create("OPTIONS", "/" + Routes.Value.RoutePrefix + "/" + function.Route);
        var response = await http.ExecuteAsync(await CallWithoutServicesAsync(function, http.Request, new Dictionary<string, object?>()));
        if (response.StatusCode != StatusCodes.Status204NoContent)
        {
            throw new InvalidOperationException($"{function.Name} answered OPTIONS with {response.StatusCode}, not 204.");
        }

        return [.. response.Headers.Allow.ToString().Split(", ")];
    }

    /// <summary>
    /// Calls <paramref name="function"/> as the worker would (the request, the route values as its string parameters),
    /// on an instance made without its services: only for answers that never reach them (OPTIONS, 405, the catch-all's 404).
    /// </summary>
    public static async Task<IResult> CallWithoutServicesAsync(HttpFunction function, HttpRequest request, IReadOnlyDictionary<string, object?> routeValues)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(routeValues);
        var dot = function.EntryPoint.LastIndexOf('.');
        var type = typeof(UnmatchedRouteFunction).Assembly.GetType(function.EntryPoint[..dot], throwOnError: true)!;
        var method = type.GetMethod(function.EntryPoint[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)!;
        var arguments = method.GetParameters().Select(object? (p) => p.ParameterType switch
        {
            var t when t == typeof(HttpRequest) => (object)request,
            var t when t == typeof(CancellationToken) => CancellationToken.None,
            var t when t == typeof(string) => routeValues.TryGetValue(p.Name!, out var value) ? value?.ToString() : "sample",
            var t => throw new NotSupportedException($"{function.Name}: cannot bind a parameter of type {t}."),
        }).ToArray();
        var instance = method.IsStatic ? null : RuntimeHelpers.GetUninitializedObject(type);
        return method.Invoke(instance, arguments) switch
        {
            Task<IResult> pending => await pending,
            IResult answer => answer,
            var other => throw new NotSupportedException($"{function.Name} returned {other?.GetType()}."),
        };
    }
}
