using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>RFC 9457 problem details for every error response.</summary>
public static class ApiProblems
{
    /// <summary>The member of every problem body that names the request's trace (32 hex digits, as the trace viewers show it).</summary>
    public const string TraceIdMember = "traceId";

    /// <summary>
    /// The problem details writer every problem goes through (<see cref="From"/>, the exception middleware, the
    /// authentication middleware, the unmatched route): it sets <see cref="TraceIdMember"/> to the W3C trace id of
    /// the current span, so a user's error report leads to the trace.
    /// </summary>
    public static IServiceCollection AddApiProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Without a span there is no trace to name (ASP.NET Core's default would be the connection's request id).
            if (TelemetryTags.CurrentTraceId() is { } traceId)
            {
                context.ProblemDetails.Extensions[TraceIdMember] = traceId;
            }
            else
            {
                context.ProblemDetails.Extensions.Remove(TraceIdMember);
            }
        });

    public static IResult From(ApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var status = StatusCode(error.Kind);
        // ASP.NET Core fills in type and title for the common statuses; 428 (RFC 6585) it leaves without a type.
        var type = error.Type ?? (error.Kind == ProblemKind.PreconditionRequired ? "https://www.rfc-editor.org/rfc/rfc6585#section-3" : null);
        return error.Errors is { Count: > 0 } errors
            ? Results.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value), error.Detail, statusCode: status, type: type)
            : Results.Problem(error.Detail, statusCode: status, type: type);
    }

    public static int StatusCode(ProblemKind kind) => kind switch
    {
        ProblemKind.Validation => StatusCodes.Status400BadRequest,
        ProblemKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ProblemKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ProblemKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ProblemKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        ProblemKind.PreconditionRequired => StatusCodes.Status428PreconditionRequired,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The result for an outcome: the error's problem, or what <paramref name="onSuccess"/> makes of the value.</summary>
    public static IResult Map<T>(Outcome<T> outcome, Func<T, IResult> onSuccess)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(onSuccess);
        return outcome.Error is { } error ? From(error) : onSuccess(outcome.Value!);
    }
}
