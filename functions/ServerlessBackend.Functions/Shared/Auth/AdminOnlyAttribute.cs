namespace ServerlessBackend.Functions.Shared.Auth;

/// <summary>
/// Marks an HTTP function only callers with the admin role may call: the authentication middleware answers
/// anyone else 403 before the function runs, so the answer never depends on the body or the resource.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AdminOnlyAttribute : Attribute;
