using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// HTTP functions, after authentication: the caller's tenant (and the order a route names) on the invocation's span and
/// in a log scope around the function, so every log line of the request carries them next to its trace id. The scope
/// is kept on the context too, for the exception middleware outside it (<see cref="RequestScope"/>).
/// </summary>
public sealed class RequestTelemetryMiddleware(ILogger<RequestTelemetryMiddleware> logger) : IFunctionsWorkerMiddleware
{
    /// <summary>The route parameter that names an order (v1/orders/{orderId}...).</summary>
    public const string OrderIdParameter = "orderId";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext()?.GetCaller() is not { } caller)
        {
            await next(context);
            return;
        }

        var orderId = context.BindingContext?.BindingData.TryGetValue(OrderIdParameter, out var value) == true ? value as string : null;
        var scope = TelemetryTags.Scope(caller.TenantId, orderId);
        Activity.Current.Tag(scope);
        RequestScope.Keep(context, scope);
        using (logger.BeginScope(scope))
        {
            await next(context);
        }
    }
}
