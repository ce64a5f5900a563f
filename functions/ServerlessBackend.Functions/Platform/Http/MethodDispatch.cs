using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>
/// The methods of one route, served by its one function: its trigger lists no methods, so the host sends it every
/// method of the path (see <see cref="ApiRoutes"/>). The handler for the request's method runs; HEAD runs GET's and
/// answers its status and headers without the body; OPTIONS is 204 with Allow; any other method is a 405 problem with
/// Allow. Allow lists the methods the route has handlers for, in alphabetical order (HEAD and OPTIONS, served on every route as above, are not listed).
/// </summary>
public static class MethodDispatch
{
    public static async Task<IResult> ServeAsync(
        HttpRequest request, Func<Task<IResult>>? get = null, Func<Task<IResult>>? post = null, Func<Task<IResult>>? put = null,
        Func<Task<IResult>>? delete = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var method = request.Method;
        var handler = method switch
        {
            _ when HttpMethods.IsGet(method) || HttpMethods.IsHead(method) => get,
            _ when HttpMethods.IsPost(method) => post,
            _ when HttpMethods.IsPut(method) => put,
            _ when HttpMethods.IsDelete(method) => delete,
            _ => null,
        };
        if (handler is not null)
        {
            var result = await handler().ConfigureAwait(false);
            return HttpMethods.IsHead(method) ? new WithoutBody(result) : result;
        }

        request.HttpContext.Response.Headers[HeaderNames.Allow] = Allow(get, post, put, delete);
        return HttpMethods.IsOptions(method)
            ? Results.NoContent()
            : ApiProblems.From(new ApiError(ProblemKind.MethodNotAllowed, $"{method} is not served here; see Allow."));
    }

    private static string Allow(Func<Task<IResult>>? get, Func<Task<IResult>>? post, Func<Task<IResult>>? put, Func<Task<IResult>>? delete) =>
        string.Join(", ", new[] { (HttpMethods.Delete, delete), (HttpMethods.Get, get), (HttpMethods.Post, post), (HttpMethods.Put, put) }.Where(m => m.Item2 is not null).Select(m => m.Item1));

    /// <summary>GET's answer to a HEAD: its status and headers, its body written nowhere.</summary>
    private sealed class WithoutBody(IResult answer) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var body = httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
            httpContext.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null, body));
            try
            {
                await answer.ExecuteAsync(httpContext).ConfigureAwait(false);
            }
            finally
            {
                httpContext.Features.Set(body);
            }
        }
    }
}
