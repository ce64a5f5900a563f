using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Net.Http.Headers;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// For HTTP functions: validates the bearer token, admits the caller (<see cref="CallerAdmission"/>: the tenant onboarded,
/// [AdminOnly] and [OperatorOnly] roles) and stores the <see cref="Caller"/> on the HttpContext, or answers 401/403 problem
/// details without running the function. The methods a function's [PublicEndpoint] names are skipped; [AdminOnly] and
/// [OperatorOnly] apply to the methods they name.
/// </summary>
public sealed class AuthenticationMiddleware(BearerAuthenticator authenticator, CallerAdmission admission) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext();
        var entryPoint = context.FunctionDefinition.EntryPoint;
        if (http is null || EntryPointAttributes.Covers<PublicEndpointAttribute>(entryPoint, http.Request.Method))
        {
            await next(context);
            return;
        }

        var identity = await authenticator.AuthenticateAsync(http.Request, context.CancellationToken);
        var caller = identity.Error is { } invalid ? invalid : await admission.AdmitAsync(identity.Value!, Access(entryPoint, http.Request.Method), context.CancellationToken);
        if (caller.Error is { } error)
        {
            if (error.Kind == ProblemKind.Unauthorized)
            {
                http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
            }

            await ApiProblems.From(error).ExecuteAsync(http);
            return;
        }

        http.SetCaller(caller.Value!);
        await next(context);
    }

    private static RouteAccess Access(string entryPoint, string method) =>
        EntryPointAttributes.Covers<OperatorOnlyAttribute>(entryPoint, method) ? RouteAccess.Operator
        : EntryPointAttributes.Covers<AdminOnlyAttribute>(entryPoint, method) ? RouteAccess.Admin
        : RouteAccess.Tenant;
}
