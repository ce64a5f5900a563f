using System.Collections.Concurrent;
using System.Reflection;

namespace ServerlessBackend.Functions.Shared.Auth;

/// <summary>Marks an HTTP function that needs no bearer token (health, readiness, the OpenAPI document). Everything else does.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PublicEndpointAttribute : Attribute
{
    private static readonly ConcurrentDictionary<string, bool> Cache = new(StringComparer.Ordinal);

    /// <summary>Whether the function whose entry point is "Namespace.Type.Method" carries this attribute.</summary>
    public static bool IsPublic(string entryPoint)
    {
        ArgumentNullException.ThrowIfNull(entryPoint);
        return Cache.GetOrAdd(entryPoint, static name =>
        {
            var dot = name.LastIndexOf('.');
            var type = dot > 0 ? typeof(PublicEndpointAttribute).Assembly.GetType(name[..dot]) : null;
            var method = type?.GetMethod(name[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
            return method?.GetCustomAttribute<PublicEndpointAttribute>() is not null;
        });
    }
}
