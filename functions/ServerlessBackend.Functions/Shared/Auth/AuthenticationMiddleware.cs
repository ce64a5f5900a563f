using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Net.Http.Headers;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Shared.Auth;

/// <summary>
/// For HTTP functions: validates the bearer token and stores the <see cref="Caller"/> on the HttpContext,
/// or answers 401/403 problem details without running the function. The methods a function's [PublicEndpoint] names
/// are skipped; those its [AdminOnly] names answer 403 to any caller without the admin role.
/// </summary>
public sealed class AuthenticationMiddleware(BearerAuthenticator authenticator) : IFunctionsWorkerMiddleware
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

        var outcome = await authenticator.AuthenticateAsync(http.Request, context.CancellationToken);
        var error = outcome.Error ?? (EntryPointAttributes.Covers<AdminOnlyAttribute>(entryPoint, http.Request.Method) ? CallerRules.RequireAdmin(outcome.Value!) : null);
        if (error is not null)
        {
            if (error.Kind == ProblemKind.Unauthorized)
            {
                http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
            }

            await ApiProblems.From(error).ExecuteAsync(http);
            return;
        }

        http.SetCaller(outcome.Value!);
        await next(context);
    }
}
