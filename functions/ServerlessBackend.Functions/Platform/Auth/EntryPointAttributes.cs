using System.Collections.Concurrent;
using System.Reflection;

namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>Reads the attributes declared on a function's method, found by its entry point ("Namespace.Type.Method").</summary>
public static class EntryPointAttributes
{
    private static readonly ConcurrentDictionary<(string EntryPoint, Type Attribute), Attribute?> Cache = new();

    public static TAttribute? Get<TAttribute>(string entryPoint)
        where TAttribute : Attribute
    {
        ArgumentNullException.ThrowIfNull(entryPoint);
        return (TAttribute?)Cache.GetOrAdd((entryPoint, typeof(TAttribute)), static key =>
        {
            var dot = key.EntryPoint.LastIndexOf('.');
            var type = dot > 0 ? typeof(EntryPointAttributes).Assembly.GetType(key.EntryPoint[..dot]) : null;
            var method = type?.GetMethod(key.EntryPoint[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
            return method?.GetCustomAttribute(key.Attribute);
        });
    }

    /// <summary>Whether the function at <paramref name="entryPoint"/> declares <typeparamref name="TAttribute"/> for <paramref name="method"/>.</summary>
    public static bool Covers<TAttribute>(string entryPoint, string method)
        where TAttribute : MethodsAttribute => Get<TAttribute>(entryPoint)?.Covers(method) == true;
}
