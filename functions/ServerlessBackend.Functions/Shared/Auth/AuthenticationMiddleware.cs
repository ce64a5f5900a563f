using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Net.Http.Headers;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Shared.Auth;

/// <summary>
/// For HTTP functions: validates the bearer token and stores the <see cref="Caller"/> on the HttpContext,
/// or answers 401/403 problem details without running the function. [PublicEndpoint] functions are skipped.
/// </summary>
public sealed class AuthenticationMiddleware(BearerAuthenticator authenticator) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext();
        if (http is null || PublicEndpointAttribute.IsPublic(context.FunctionDefinition.EntryPoint))
        {
            await next(context);
            return;
        }

        var outcome = await authenticator.AuthenticateAsync(http.Request, context.CancellationToken);
        if (outcome.Error is { } error)
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
