using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Features.Operations;

/// <summary>
/// Claims every path under the route prefix that no other function's route matches, and only those (its route's regex
/// constraint excludes theirs: <see cref="ApiRoutes.Unmatched"/>), so an unknown path is a 404 problem instead of the
/// host's empty 404 whatever order the host tries routes in; a known path with a method it does not serve is its own
/// function's 405. It needs a token like every route but the health probes and the Stripe webhook: an anonymous caller
/// gets 401 for any path, so it cannot tell a route that exists from one that does not (an authenticated caller can
/// read the OpenAPI document anyway).
/// </summary>
public static class UnmatchedRouteFunction
{
    public const string Name = "UnmatchedRoute";

    [Function(Name)]
    public static IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.Unmatched)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ApiProblems.From(new ApiError(ProblemKind.NotFound, "No route matches this path."));
    }
}
