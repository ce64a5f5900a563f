using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>
/// HTTP functions only: an exception becomes problem details (a dependency down or throttling: 503 with Retry-After; a
/// request the server could not read, such as a body cut short: its 4xx; anything else: 500 without internals).
/// Service Bus functions never pass through here, so their failures still abandon the message.
/// </summary>
public sealed partial class ExceptionProblemsMiddleware(ILogger<ExceptionProblemsMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.GetHttpContext() is { Response.HasStarted: false } http && e is not OperationCanceledException)
        {
            // Logged in the request's tenant/order scope, which closed when the exception left it.
            using (RequestScope.Of(context) is { } scope ? logger.BeginScope(scope) : null)
            {
                Log(e, context.FunctionDefinition.Name);
            }

            await ToResult(e, http.Response).ExecuteAsync(http);
        }
    }

    // A known failure logs once, as a warning without a stack trace; throttling not at all (the client is told to wait).
    private void Log(Exception e, string function)
    {
        if (DependencyUnavailableException.In(e) is { } unavailable)
        {
            if (!unavailable.IsThrottling)
            {
                LogUnavailable(logger, function, unavailable.Dependency, unavailable.Reason);
            }
        }
        else if (Unwrap<BadHttpRequestException>(e) is null)
        {
            LogUnhandled(logger, e, function);
        }
    }

    /// <summary>The response for an exception that escaped an HTTP function.</summary>
    public static IResult ToResult(Exception exception, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (DependencyUnavailableException.In(exception) is { } unavailable)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(unavailable.RetryAfter.TotalSeconds));
            response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
            return Results.Problem(
                unavailable.IsThrottling
                    ? "The service is busy; retry after the delay in Retry-After."
                    : "A service this request needs is unavailable; retry after the delay in Retry-After.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        // The server could not read the request (e.g. the body ended before its Content-Length): the client's side, a 4xx.
        if (Unwrap<BadHttpRequestException>(exception) is { } unreadable)
        {
            return Results.Problem("The request could not be read.", statusCode: unreadable.StatusCode);
        }

        return Results.Problem("An unexpected error occurred.", statusCode: StatusCodes.Status500InternalServerError);
    }

    // The worker may wrap the function's exception.
    private static T? Unwrap<T>(Exception? exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "HTTP function {Function} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string function);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP function {Function} answered 503: {Dependency} is unavailable ({Reason})")]
    private static partial void LogUnavailable(ILogger logger, string function, string dependency, string reason);
}
