using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.LocalHost;

/// <summary>
/// What the host and the worker do with a routed request, as far as the local host can: the host reads the whole body
/// first (within its limit); the worker makes the function's class with its services, binds the request, the function
/// context, the cancellation token and route values to its parameters, runs the app's middleware around it and
/// executes the <see cref="IResult"/> it returned (the ASP.NET Core integration does that outside the app's middleware).
/// </summary>
public sealed class FunctionInvoker(IServiceProvider services, WorkerPipeline pipeline, Assembly app)
{
    // Where the ASP.NET Core integration keeps the HttpContext (FunctionContext.GetHttpContext reads it).
    private const string HttpContextKey = "HttpRequestContext";

    public async Task InvokeAsync(RouteMatch match, HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(http);
        if (!await ReadWholeBodyAsync(http))
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        http.RequestServices = scope.ServiceProvider;
        var bindingData = match.Values.ToDictionary(v => v.Key, v => (object?)Convert.ToString(v.Value, CultureInfo.InvariantCulture), StringComparer.OrdinalIgnoreCase);
        var context = new LocalFunctionContext(
            new LocalFunctionDefinition(match.Function, app.Location), scope.ServiceProvider, bindingData, new Dictionary<object, object> { [HttpContextKey] = http }, http.RequestAborted);

        object? result = null;
        try
        {
            await pipeline.Around(async c => result = await RunFunctionAsync(match.Function, c, http))(context);
        }
        catch (Exception) when (!http.Response.HasStarted)
        {
            // A failed invocation: the host answers 500 without a body.
            http.Response.Clear();
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        if (result is IResult answer && !http.Response.HasStarted)
        {
            await answer.ExecuteAsync(http);
        }
    }

    private static async Task<bool> ReadWholeBodyAsync(HttpContext http)
    {
        http.Request.EnableBuffering();
        try
        {
            await http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted);
            http.Request.Body.Position = 0;
            return true;
        }
        catch (BadHttpRequestException)
        {
            // Over the host's limit (Kestrel's 413 exception), or cut short: the function never runs, and the host's
            // ExceptionMiddleware answers any exception but its own HttpException with an empty 500.
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return false;
        }
    }

    private async Task<object?> RunFunctionAsync(HttpFunction function, FunctionContext context, HttpContext http)
    {
        var dot = function.EntryPoint.LastIndexOf('.');
        var type = app.GetType(function.EntryPoint[..dot], throwOnError: true)!;
        var method = type.GetMethod(function.EntryPoint[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{function.EntryPoint} not found.");
        var instance = method.IsStatic ? null : ActivatorUtilities.CreateInstance(context.InstanceServices, type);
        var arguments = method.GetParameters().Select(p => Bind(p, context, http)).ToArray();
        var returned = method.Invoke(instance, arguments);
        if (returned is Task task)
        {
            await task;
            return task.GetType().GetProperty("Result")?.GetValue(task);
        }

        return returned;
    }

    private static object? Bind(ParameterInfo parameter, FunctionContext context, HttpContext http) => parameter.ParameterType switch
    {
        var t when t == typeof(HttpRequest) => http.Request,
        var t when t == typeof(FunctionContext) => context,
        var t when t == typeof(CancellationToken) => context.CancellationToken,
        var t when t == typeof(string) => context.BindingContext.BindingData.TryGetValue(parameter.Name!, out var value) ? value : null,
        _ => throw new NotSupportedException($"The local host cannot bind parameter {parameter.Name} of type {parameter.ParameterType}."),
    };
}
