using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using ServerlessBackend.Functions.Shared.Cosmos;

namespace ServerlessBackend.Functions.Shared.Http;

/// <summary>
/// HTTP functions only: an exception becomes problem details (throttling: 503 with Retry-After; a request the server
/// could not read, such as a body cut short: its 4xx; anything else: 500 without internals). Service Bus functions never pass through here, so their failures still abandon the message.
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
            if (Unwrap<StoreThrottledException>(e) is null && Unwrap<BadHttpRequestException>(e) is null)
            {
                LogUnhandled(logger, e, context.FunctionDefinition.Name);
            }

            await ToResult(e, http.Response).ExecuteAsync(http);
        }
    }

    /// <summary>The response for an exception that escaped an HTTP function.</summary>
    public static IResult ToResult(Exception exception, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (Unwrap<StoreThrottledException>(exception) is { } throttled)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling((throttled.RetryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds));
            response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
            return Results.Problem("The service is busy; retry after the delay in Retry-After.", statusCode: StatusCodes.Status503ServiceUnavailable);
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
}
