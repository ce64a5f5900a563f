using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.LocalHost;

/// <summary>
/// The worker builder the app's composition root is applied to: it keeps the services and the middleware the app
/// registers (<c>UseWhen</c> and the like), in order, to run around each invocation as the worker does.
/// </summary>
public sealed class WorkerPipeline(IServiceCollection services) : IFunctionsWorkerApplicationBuilder
{
    private readonly List<Func<FunctionExecutionDelegate, FunctionExecutionDelegate>> _middleware = [];

    public IServiceCollection Services { get; } = services;

    public IFunctionsWorkerApplicationBuilder Use(Func<FunctionExecutionDelegate, FunctionExecutionDelegate> middleware)
    {
        _middleware.Add(middleware);
        return this;
    }

    /// <summary>The registered middleware, first registered outermost, around <paramref name="function"/>.</summary>
    public FunctionExecutionDelegate Around(FunctionExecutionDelegate function)
    {
        var next = function;
        for (var i = _middleware.Count - 1; i >= 0; i--)
        {
            next = _middleware[i](next);
        }

        return next;
    }
}
