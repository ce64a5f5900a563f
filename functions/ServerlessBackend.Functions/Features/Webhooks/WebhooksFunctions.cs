using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>The admin routes over the tenant's webhook endpoints, one function per route: bindings and mapping only.</summary>
public sealed class WebhooksFunctions(WebhooksHandler handler)
{
    [Function("Webhooks")]
    [AdminOnly("GET", "POST")]
    public Task<IResult> Webhooks(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.Webhooks)] HttpRequest request, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => List(request, cancellationToken), post: () => Create(request, cancellationToken));

    [Function("Webhook")]
    [AdminOnly("GET", "DELETE")]
    public Task<IResult> Webhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.Webhook)] HttpRequest request, string webhookId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, get: () => Get(request, webhookId, cancellationToken), delete: () => Delete(request, webhookId, cancellationToken));

    [Function("WebhookSecretRotation")]
    [AdminOnly("POST")]
    public Task<IResult> WebhookSecretRotation(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.WebhookSecretRotation)] HttpRequest request, string webhookId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, post: () => HttpEndpoint.HandleAsync(
            () => handler.RotateSecretAsync(request.RequireCaller(), webhookId, cancellationToken),
            view => WebhookResponse.Result(request.HttpContext.Response, view)));

    [Function("WebhookEnabling")]
    [AdminOnly("POST")]
    public Task<IResult> WebhookEnabling(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.WebhookEnabling)] HttpRequest request, string webhookId, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, post: () => HttpEndpoint.HandleAsync(
            () => handler.EnableAsync(request.RequireCaller(), webhookId, cancellationToken),
            view => WebhookResponse.Result(request.HttpContext.Response, view)));

    private Task<IResult> List(HttpRequest request, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            () => handler.ListAsync(request.RequireCaller(), cancellationToken),
            endpoints => Results.Json(new PageResponse<WebhookResponse>(endpoints, ContinuationToken: null), ApiJson.Options));

    private async Task<IResult> Create(HttpRequest request, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadAsync<CreateWebhookRequest>(request, cancellationToken),
            body => handler.CreateAsync(request.RequireCaller(), body, cancellationToken),
            view => WebhookResponse.Result(request.HttpContext.Response, view, created: true));

    private Task<IResult> Get(HttpRequest request, string webhookId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            () => handler.GetAsync(request.RequireCaller(), webhookId, cancellationToken),
            view => WebhookResponse.Result(request.HttpContext.Response, view));

    private Task<IResult> Delete(HttpRequest request, string webhookId, CancellationToken cancellationToken) =>
        HttpEndpoint.HandleAsync(
            () => handler.DeleteAsync(request.RequireCaller(), webhookId, cancellationToken),
            _ => Results.NoContent());
}
