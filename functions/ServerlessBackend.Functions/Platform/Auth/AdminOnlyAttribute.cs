namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// The methods of an HTTP function only callers with the admin role may call: the authentication middleware answers
/// anyone else 403 before the function runs, so the answer never depends on the body or the resource. Other methods
/// (a public read on the same route, a method the route does not serve) need only a valid token.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AdminOnlyAttribute(params string[] methods) : MethodsAttribute(methods);
