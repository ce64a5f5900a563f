namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>What a handler returns: a value, or the client-facing error that <see cref="ApiProblems"/> turns into problem details.</summary>
public sealed record Outcome<T>
{
    internal Outcome(T? value, ApiError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ApiError? Error { get; }

    public static implicit operator Outcome<T>(ApiError error) => new(default, error);
}

public static class Outcome
{
    public static Outcome<T> Ok<T>(T value) => new(value, null);
}

public enum ProblemKind
{
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unprocessable,
    PreconditionRequired,
}

/// <summary>A client mistake or a refused request. <see cref="Errors"/> lists per-field messages (JSON paths as keys).</summary>
public sealed record ApiError(ProblemKind Kind, string Detail, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    /// <summary>The problem's type URI when the status alone does not say what went wrong (RFC 9457, 3.1.1); null: the status's default.</summary>
    public string? Type { get; init; }

    public static ApiError Validation(IReadOnlyDictionary<string, string[]> errors) => new(ProblemKind.Validation, "The request is not valid; see errors.", errors);

    public static ApiError Field(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ApiError NotFound(string what) => new(ProblemKind.NotFound, $"{what} was not found.");

    public static ApiError StaleETag() => new(ProblemKind.PreconditionFailed, "The resource has changed since the ETag in If-Match was read; read it again.");

    /// <summary>A write that kept losing races to concurrent changes of the same resource: the client's request was fine; sending it again succeeds.</summary>
    public static ApiError Contended(string what) => new(ProblemKind.Conflict, $"{what} kept changing while this request was applied; send it again.");
}
