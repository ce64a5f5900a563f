using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Features.Payments.Stripe;

namespace ServerlessBackend.Tests.Support;

/// <summary>The app downstream of the API with the Stripe provider against the Stripe-like API on 127.0.0.1, the HTTP side on the same clock and outbox, and the Stripe webhook function.</summary>
public static class StripeDownstream
{
    public static async Task<(FakeStripeApi Stripe, Downstream App, ApiTestHost Api, StripeWebhookFunction Webhook)> StartAsync(
        CosmosServerFixture cosmos, SmtpServerFixture smtp, string tenantId, string webhookSecret)
    {
        var stripe = await FakeStripeApi.StartAsync();
        var options = Options.Create(new StripeOptions { SecretKey = FakeStripeApi.SecretKey, WebhookSecret = webhookSecret, ApiBase = stripe.BaseUrl, MaxNetworkRetries = 0 });
        var app = new Downstream(cosmos, smtp, tenantId, new StripePaymentProvider(options));
        var api = new ApiTestHost(cosmos, app.Clock, app.Outbox, metrics: app.Metrics.App);
        var webhook = new StripeWebhookFunction(new StripeWebhookHandler(options, app.PaymentOutcomes, app.RefundOutcomes, app.Clock, NullLogger<StripeWebhookHandler>.Instance));
        return (stripe, app, api, webhook);
    }
}
