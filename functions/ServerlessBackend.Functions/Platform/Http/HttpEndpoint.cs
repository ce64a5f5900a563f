using Microsoft.AspNetCore.Http;

namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>
/// The one shape of an HTTP function: the parsed inputs (header, query, body), the first invalid one answered
/// as its problem without calling the handler, otherwise the handler's outcome mapped to a result.
/// </summary>
public static class HttpEndpoint
{
    public static async Task<IResult> HandleAsync<TOut>(Func<Task<Outcome<TOut>>> handle, Func<TOut, IResult> onSuccess)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return ApiProblems.Map(await handle(), onSuccess);
    }

    public static async Task<IResult> HandleAsync<T1, TOut>(Outcome<T1> first, Func<T1, Task<Outcome<TOut>>> handle, Func<TOut, IResult> onSuccess)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(handle);
        return first.Error is { } invalid ? ApiProblems.From(invalid) : ApiProblems.Map(await handle(first.Value!), onSuccess);
    }

    /// <summary>As above, with the parsed input also given to onSuccess (a conditional read answers 304 from it).</summary>
    public static async Task<IResult> HandleAsync<T1, TOut>(Outcome<T1> first, Func<T1, Task<Outcome<TOut>>> handle, Func<T1, TOut, IResult> onSuccess)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(onSuccess);
        return first.Error is { } invalid ? ApiProblems.From(invalid) : ApiProblems.Map(await handle(first.Value!), output => onSuccess(first.Value!, output));
    }

    public static async Task<IResult> HandleAsync<T1, T2, TOut>(
        Outcome<T1> first, Outcome<T2> second, Func<T1, T2, Task<Outcome<TOut>>> handle, Func<TOut, IResult> onSuccess)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(handle);
        return (first.Error ?? second.Error) is { } invalid ? ApiProblems.From(invalid) : ApiProblems.Map(await handle(first.Value!, second.Value!), onSuccess);
    }
}
