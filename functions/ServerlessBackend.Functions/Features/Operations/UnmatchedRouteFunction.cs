using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.Functions.Features.Operations;

/// <summary>
/// Claims every path under the route prefix that no other function serves: the host tries routes with literal segments
/// before those with parameters, and this catch-all last. So an unknown path is a 404 and a known path with a method it
/// does not serve a 405 with Allow, both problem details, instead of the host's empty 404. It needs a token like every
/// route but the health probes and the Stripe webhook: an anonymous caller gets 401 for any path, so it cannot tell a route that exists from
/// one that does not (an authenticated caller can read the OpenAPI document anyway).
/// </summary>
public static class UnmatchedRouteFunction
{
    public const string Name = "UnmatchedRoute";

    /// <summary>The route parameter that holds the path after the route prefix.</summary>
    public const string PathParameter = "path";

    [Function(Name)]
    public static IResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = "{*" + PathParameter + "}")] HttpRequest request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var path = context.BindingContext.BindingData.TryGetValue(PathParameter, out var value) ? value?.ToString() ?? "" : "";
        var allowed = RouteTable.App.MethodsFor(path);
        if (allowed.Count == 0)
        {
            return ApiProblems.From(new ApiError(ProblemKind.NotFound, "No route matches this path."));
        }

        request.HttpContext.Response.Headers[HeaderNames.Allow] = string.Join(", ", allowed);
        return ApiProblems.From(new ApiError(ProblemKind.MethodNotAllowed, $"{request.Method} is not served here; see Allow."));
    }
}
