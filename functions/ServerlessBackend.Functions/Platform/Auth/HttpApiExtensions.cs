using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Platform.Auth;

public static class HttpApiExtensions
{
    /// <summary>
    /// The HTTP API's pipeline, for HTTP-triggered functions only: exceptions to problem details, then bearer
    /// authentication, then the request's tenant and order on its span and log scope. Service Bus functions get none of
    /// them, so their failures still reach the host and the message is retried.
    /// </summary>
    public static IFunctionsWorkerApplicationBuilder UseHttpApi(this IFunctionsWorkerApplicationBuilder builder)
    {
        builder.UseWhen<ExceptionProblemsMiddleware>(IsHttpTriggered);
        builder.UseWhen<AuthenticationMiddleware>(IsHttpTriggered);
        builder.UseWhen<RequestTelemetryMiddleware>(IsHttpTriggered);
        return builder;
    }

    /// <summary>Problem details and JWT bearer authentication.</summary>
    public static IServiceCollection AddHttpApi(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddApiProblemDetails();
        return services.AddApiAuthentication(configuration, environment);
    }

    public static bool IsHttpTriggered(FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.FunctionDefinition.InputBindings.Values.Any(b => string.Equals(b.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase));
    }
}
