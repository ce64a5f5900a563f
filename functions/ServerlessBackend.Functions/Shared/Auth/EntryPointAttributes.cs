using System.Collections.Concurrent;
using System.Reflection;

namespace ServerlessBackend.Functions.Shared.Auth;

/// <summary>Reads the attributes declared on a function's method, found by its entry point ("Namespace.Type.Method").</summary>
public static class EntryPointAttributes
{
    private static readonly ConcurrentDictionary<(string EntryPoint, Type Attribute), bool> Cache = new();

    public static bool Has<TAttribute>(string entryPoint)
        where TAttribute : Attribute
    {
        ArgumentNullException.ThrowIfNull(entryPoint);
        return Cache.GetOrAdd((entryPoint, typeof(TAttribute)), static key =>
        {
            var dot = key.EntryPoint.LastIndexOf('.');
            var type = dot > 0 ? typeof(EntryPointAttributes).Assembly.GetType(key.EntryPoint[..dot]) : null;
            var method = type?.GetMethod(key.EntryPoint[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
            return method?.GetCustomAttribute(key.Attribute) is not null;
        });
    }
}
