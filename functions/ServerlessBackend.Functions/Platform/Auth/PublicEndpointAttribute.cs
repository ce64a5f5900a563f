namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// The methods of an HTTP function that need no bearer token (the health probes' GET; the Stripe webhook's POST, which
/// checks Stripe's signature instead). Everything else does, other methods on the same route included, so an anonymous
/// caller gets 401 for any of them and cannot tell a route that exists from one that does not.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PublicEndpointAttribute(params string[] methods) : MethodsAttribute(methods);
