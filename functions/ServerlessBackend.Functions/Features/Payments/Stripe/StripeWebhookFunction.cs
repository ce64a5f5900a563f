using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Payments.Stripe;

/// <summary>Stripe's webhook endpoint: anonymous (Stripe sends no token), authenticated by the Stripe-Signature header instead.</summary>
public sealed class StripeWebhookFunction(StripeWebhookHandler handler)
{
    [Function("StripeWebhook")]
    [PublicEndpoint("POST")]
    public Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, Route = ApiRoutes.StripeWebhook)] HttpRequest request, CancellationToken cancellationToken) =>
        MethodDispatch.ServeAsync(request, post: () => ReceiveAsync(request, cancellationToken));

    private async Task<IResult> ReceiveAsync(HttpRequest request, CancellationToken cancellationToken) =>
        await HttpEndpoint.HandleAsync(
            await JsonBody.ReadBytesAsync(request, StripeWebhookHandler.MaxBodyBytes, cancellationToken),
            body => handler.HandleAsync(body, request.Headers[StripeSignature.Header].ToString(), cancellationToken),
            receipt => Results.Json(receipt, ApiJson.Options));
}
