using Microsoft.Extensions.Options;
using ServerlessBackend.Functions.Features.Payments;
using ServerlessBackend.Functions.Features.Payments.Stripe;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Payments;

/// <summary>The Stripe provider's requests and how it reads Stripe's answers, against a Stripe-like API on 127.0.0.1.</summary>
public sealed class StripePaymentProviderTests : IAsyncLifetime
{
    private FakeStripeApi _stripe = null!;
    private StripePaymentProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _stripe = await FakeStripeApi.StartAsync();
        _provider = Provider(_stripe, maxNetworkRetries: 0);
    }

    public async Task DisposeAsync() => await _stripe.DisposeAsync();

    public static StripePaymentProvider Provider(FakeStripeApi stripe, int maxNetworkRetries) =>
        new(Options.Create(new StripeOptions { SecretKey = FakeStripeApi.SecretKey, WebhookSecret = "whsec_test", ApiBase = stripe.BaseUrl, MaxNetworkRetries = maxNetworkRetries }));

    [Fact]
    public async Task Create_sends_a_manual_capture_intent_in_minor_units_with_the_order_in_its_metadata_and_the_key_given()
    {
        var id = await _provider.CreateAsync(new PaymentRequest("tenant-a", "order-1", 2550, "EUR", "pm_card_visa"), "order-1:create", CancellationToken.None);

        var request = Assert.Single(_stripe.Requests);
        Assert.Equal(("POST", "/v1/payment_intents"), (request.Method, request.Path));
        Assert.Equal($"Bearer {FakeStripeApi.SecretKey}", request.Authorization);
        Assert.Equal("order-1:create", request.IdempotencyKey);
        Assert.Equal("2550", request.Form["amount"]);
        Assert.Equal("eur", request.Form["currency"]);
        Assert.Equal("manual", request.Form["capture_method"]);
        Assert.Equal("false", request.Form["confirm"]);
        // The payment method goes with the confirm, where Stripe's refusal of one it does not know can be read as a decline.
        Assert.False(request.Form.ContainsKey("payment_method"));
        Assert.Equal("tenant-a", request.Form["metadata[tenant_id]"]);
        Assert.Equal("order-1", request.Form["metadata[order_id]"]);
        Assert.Equal("never", request.Form["automatic_payment_methods[allow_redirects]"]);
        Assert.Equal("requires_payment_method", (string?)_stripe.Intent(id)["status"]);
    }

    [Fact]
    public async Task Create_again_with_the_same_key_returns_the_same_intent()
    {
        var request = new PaymentRequest("tenant-a", "order-1", 2550, "EUR", null);

        var first = await _provider.CreateAsync(request, "order-1:create", CancellationToken.None);
        var second = await _provider.CreateAsync(request, "order-1:create", CancellationToken.None);

        Assert.Equal(first, second);
        Assert.All(_stripe.Requests, r => Assert.Equal("order-1:create", r.IdempotencyKey));
    }

    [Fact]
    public async Task Authorize_confirms_and_a_held_amount_is_authorized()
    {
        var request = new PaymentRequest("tenant-a", "order-1", 1000, "USD", "pm_card_visa");
        var id = await _provider.CreateAsync(request, "k-create", CancellationToken.None);

        var result = await _provider.AuthorizeAsync(id, request, "k-authorize", CancellationToken.None);

        Assert.Equal(new AuthorizationResult(AuthorizationStatus.Authorized) { Held = new PaymentHold(1000, "USD") }, result);
        var confirm = _stripe.Requests.Last();
        Assert.Equal(("POST", $"/v1/payment_intents/{id}/confirm", "k-authorize"), (confirm.Method, confirm.Path, confirm.IdempotencyKey));
        Assert.Equal("pm_card_visa", confirm.Form["payment_method"]);
        Assert.Equal("requires_capture", (string?)_stripe.Intent(id)["status"]);
    }

    [Fact]
    public async Task Authorize_that_needs_3d_secure_is_action_required_with_the_client_secret()
    {
        var request = new PaymentRequest("tenant-a", "order-1", 1000, "EUR", "pm_card_authenticationRequired");
        var id = await _provider.CreateAsync(request, "k-create", CancellationToken.None);

        var result = await _provider.AuthorizeAsync(id, request, "k-authorize", CancellationToken.None);

        Assert.Equal(AuthorizationStatus.ActionRequired, result.Status);
        Assert.Equal((string?)_stripe.Intent(id)["client_secret"], result.ClientSecret);
        Assert.StartsWith($"{id}_secret_", result.ClientSecret, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_without_a_payment_method_reads_the_intent_and_asks_the_customer()
    {
        var request = new PaymentRequest("tenant-a", "order-1", 1000, "EUR", null);
        var id = await _provider.CreateAsync(request, "k-create", CancellationToken.None);

        var result = await _provider.AuthorizeAsync(id, request, "k-authorize", CancellationToken.None);

        Assert.Equal(AuthorizationStatus.ActionRequired, result.Status);
        Assert.NotNull(result.ClientSecret);
        Assert.Equal(("GET", $"/v1/payment_intents/{id}"), (_stripe.Requests.Last().Method, _stripe.Requests.Last().Path));
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined", "generic_decline")]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds")]
    public async Task A_402_card_error_is_declined_with_the_decline_code(string paymentMethod, string declineCode)
    {
        var request = new PaymentRequest("tenant-a", "order-1", 1000, "EUR", paymentMethod);
        var id = await _provider.CreateAsync(request, "k-create", CancellationToken.None);

        var result = await _provider.AuthorizeAsync(id, request, "k-authorize", CancellationToken.None);

        Assert.Equal(new AuthorizationResult(AuthorizationStatus.Declined, DeclineCode: declineCode), result);
    }

    [Fact]
    public async Task A_payment_method_Stripe_does_not_know_is_declined_not_retried_for_ever()
    {
        // The API takes any pm_ id of the right form; Stripe answers 400 resource_missing (param payment_method) for one
        // it does not know. Thrown, the payment step would be retried and dead-lettered, the order left holding its stock.
        var request = new PaymentRequest("tenant-a", "order-1", 1000, "EUR", "pm_unknown_to_stripe");
        var id = await _provider.CreateAsync(request, "k-create", CancellationToken.None);

        var result = await _provider.AuthorizeAsync(id, request, "k-authorize", CancellationToken.None);

        Assert.Equal(new AuthorizationResult(AuthorizationStatus.Declined, DeclineCode: "resource_missing"), result);
    }

    [Fact]
    public async Task Authorize_again_under_another_key_reads_the_held_intent_instead_of_failing()
    {
        var request = new PaymentRequest("tenant-a", "order-1", 1000, "EUR", "pm_card_visa");
        var id = await _provider.CreateAsync(request, "k-create", CancellationToken.None);
        await _provider.AuthorizeAsync(id, request, "k-authorize", CancellationToken.None);

        var again = await _provider.AuthorizeAsync(id, request, "k-authorize-other", CancellationToken.None);

        Assert.Equal(AuthorizationStatus.Authorized, again.Status);
    }

    [Fact]
    public async Task Capture_sends_the_amount_to_capture_and_a_second_capture_under_another_key_succeeds_without_capturing_twice()
    {
        var id = await AuthorizedAsync(1000);

        var first = await _provider.CaptureAsync(id, 1000, "k-capture", CancellationToken.None);
        var capture = _stripe.Requests.Last();
        var again = await _provider.CaptureAsync(id, 1000, "k-capture-redelivered", CancellationToken.None);

        Assert.Equal(new PaymentCallResult(true), first);
        Assert.Equal(new PaymentCallResult(true), again);
        Assert.Equal(("POST", $"/v1/payment_intents/{id}/capture", "k-capture", "1000"), (capture.Method, capture.Path, capture.IdempotencyKey, capture.Form["amount_to_capture"]));
        Assert.Single(_stripe.Requests, r => r.Path.EndsWith("/capture", StringComparison.Ordinal) && r.IdempotencyKey == "k-capture");
        Assert.Equal(1000, _stripe.Intent(id)["amount_received"]!.GetValue<long>());
    }

    [Fact]
    public async Task Void_cancels_and_a_second_void_succeeds_while_voiding_a_captured_intent_fails()
    {
        var voided = await AuthorizedAsync(1000);
        var captured = await AuthorizedAsync(1000);
        await _provider.CaptureAsync(captured, 1000, "k-capture", CancellationToken.None);

        Assert.Equal(new PaymentCallResult(true), await _provider.VoidAsync(voided, "k-void", CancellationToken.None));
        Assert.Equal(("POST", $"/v1/payment_intents/{voided}/cancel", "k-void"), (_stripe.Requests.Last().Method, _stripe.Requests.Last().Path, _stripe.Requests.Last().IdempotencyKey));
        Assert.Equal(new PaymentCallResult(true), await _provider.VoidAsync(voided, "k-void-again", CancellationToken.None));
        Assert.Equal(new PaymentCallResult(false, "already_captured"), await _provider.VoidAsync(captured, "k-void-captured", CancellationToken.None));
        Assert.Equal("canceled", (string?)_stripe.Intent(voided)["status"]);
    }

    [Fact]
    public async Task A_key_reused_for_another_request_is_stripes_idempotency_error_and_throws()
    {
        var first = await AuthorizedAsync(1000);
        var second = await AuthorizedAsync(1000);
        await _provider.VoidAsync(first, "k-void", CancellationToken.None);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _provider.VoidAsync(second, "k-void", CancellationToken.None));

        Assert.Contains("idempotency_error", e.Message, StringComparison.Ordinal);
        Assert.Equal("requires_capture", (string?)_stripe.Intent(second)["status"]);
    }

    [Fact]
    public async Task Capturing_a_cancelled_intent_fails_with_canceled()
    {
        var id = await AuthorizedAsync(1000);
        await _provider.VoidAsync(id, "k-void", CancellationToken.None);

        Assert.Equal(new PaymentCallResult(false, "canceled"), await _provider.CaptureAsync(id, 1000, "k-capture", CancellationToken.None));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(409)]
    public async Task Throttling_conflict_and_server_errors_are_dependency_unavailable_so_the_message_is_retried(int status)
    {
        _stripe.Answer = _ => FakeStripeApi.Error(status, status == 429 ? "invalid_request_error" : "api_error", status == 429 ? "rate_limit" : null, "Try again.");

        var e = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => _provider.CreateAsync(new PaymentRequest("tenant-a", "order-1", 1000, "EUR", null), "k-create", CancellationToken.None));

        Assert.Equal("Stripe", e.Dependency);
        Assert.Equal($"HTTP {status}", e.Reason);
    }

    [Fact]
    public async Task The_sdk_retries_a_server_error_itself_with_the_same_idempotency_key()
    {
        var provider = Provider(_stripe, maxNetworkRetries: 1);
        _stripe.Answer = r => _stripe.Requests.Count == 1 ? FakeStripeApi.Error(500, "api_error", null, "Try again.") : null;

        var id = await provider.CreateAsync(new PaymentRequest("tenant-a", "order-1", 1000, "EUR", null), "k-create", CancellationToken.None);

        Assert.Equal(2, _stripe.Requests.Count);
        Assert.All(_stripe.Requests, r => Assert.Equal("k-create", r.IdempotencyKey));
        Assert.NotNull(_stripe.Intent(id));
    }

    [Fact]
    public async Task An_unreachable_api_is_dependency_unavailable()
    {
        var port = LocalServer.FreePort();
        var provider = new StripePaymentProvider(Options.Create(new StripeOptions { SecretKey = FakeStripeApi.SecretKey, WebhookSecret = "whsec_test", ApiBase = new Uri($"http://127.0.0.1:{port}"), MaxNetworkRetries = 0 }));

        var e = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => provider.CreateAsync(new PaymentRequest("tenant-a", "order-1", 1000, "EUR", null), "k-create", CancellationToken.None));

        Assert.Equal("network failure", e.Reason);
    }

    [Fact]
    public async Task A_refusal_retrying_cannot_change_throws_with_codes_and_the_request_id_but_never_stripes_message()
    {
        _stripe.Answer = _ => FakeStripeApi.Error(400, "invalid_request_error", "parameter_invalid_integer", "Invalid integer: alice@example.com");

        var e = await Assert.ThrowsAsync<InvalidOperationException>(
            () => _provider.CaptureAsync("pi_123", 1000, "k-capture", CancellationToken.None));

        Assert.Contains("HTTP 400, invalid_request_error/parameter_invalid_integer, request req_", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Options_refuse_plain_http_except_on_a_loopback_address()
    {
        static StripeOptions With(string apiBase) => new() { SecretKey = "sk_test_x", WebhookSecret = "whsec_x", ApiBase = new Uri(apiBase) };

        Assert.True(With("https://api.stripe.com").IsValid());
        Assert.True(With("http://127.0.0.1:12111").IsValid());
        Assert.False(With("http://api.stripe.com").IsValid());
        Assert.False(new StripeOptions { WebhookSecret = "whsec_x" }.IsValid());
        Assert.False(new StripeOptions { SecretKey = "sk_test_x" }.IsValid());
    }

    private async Task<string> AuthorizedAsync(long amountMinor)
    {
        var request = new PaymentRequest("tenant-a", $"order-{Guid.NewGuid():N}", amountMinor, "EUR", "pm_card_visa");
        var id = await _provider.CreateAsync(request, $"{request.OrderId}:create", CancellationToken.None);
        Assert.Equal(AuthorizationStatus.Authorized, (await _provider.AuthorizeAsync(id, request, $"{request.OrderId}:authorize", CancellationToken.None)).Status);
        return id;
    }
}
