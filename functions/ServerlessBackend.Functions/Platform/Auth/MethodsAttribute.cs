using Microsoft.AspNetCore.Http;

namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// A rule the authentication middleware applies before an HTTP function runs, for the methods named (a function serves
/// every method of its route: see Platform/Http/MethodDispatch). HEAD counts as GET, whose answer it is.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public abstract class MethodsAttribute : Attribute
{
    protected MethodsAttribute(string[] methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        Methods = methods.Length > 0 ? [.. methods] : throw new ArgumentException("Name the methods the rule applies to.", nameof(methods));
    }

    public IReadOnlyList<string> Methods { get; }

    public bool Covers(string method) =>
        Methods.Any(m => string.Equals(m, method, StringComparison.OrdinalIgnoreCase) || (HttpMethods.IsHead(method) && HttpMethods.IsGet(m)));
}
