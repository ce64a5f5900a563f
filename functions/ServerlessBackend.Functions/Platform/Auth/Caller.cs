using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// The authenticated caller: every data access is scoped to <see cref="TenantId"/>, and to <see cref="UserId"/> unless admin.
/// <see cref="IsApplication"/>: an app-only token (no user), admitted only with the admin role and never a customer.
/// On an operator route <see cref="TenantId"/> is the operator's directory and <see cref="IsOperator"/> is set.
/// </summary>
public sealed record Caller(string TenantId, string UserId, string? Email, bool IsAdmin, bool IsApplication = false, bool IsOperator = false);

public static class CallerHttpContextExtensions
{
    private static readonly object Key = new();

    /// <summary>The caller the authentication middleware validated, or null when none (anonymous route or no middleware).</summary>
    public static Caller? GetCaller(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(Key, out var caller) ? caller as Caller : null;
    }

    public static void SetCaller(this HttpContext context, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[Key] = caller;
    }
}

public static class CallerRules
{
    /// <summary>Null for an admin; otherwise the 403 problem for admin-only operations.</summary>
    public static ApiError? RequireAdmin(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.IsAdmin ? null : new ApiError(ProblemKind.Forbidden, $"Only a caller with the '{AuthOptions.AdminRole}' role can do this.");
    }

    /// <summary>Null for a signed-in user; otherwise the 403 problem for what only a customer does (an application is never one).</summary>
    public static ApiError? RequireUser(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.IsApplication ? new ApiError(ProblemKind.Forbidden, "An application token (no signed-in user) is never a customer: orders are placed by users.") : null;
    }

    /// <summary>The caller the authentication middleware stored; its absence is a wiring fault, never an anonymous pass.</summary>
    public static Caller RequireCaller(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.HttpContext.GetCaller() ?? throw new InvalidOperationException("No authenticated caller: is AuthenticationMiddleware registered for HTTP functions?");
    }
}
