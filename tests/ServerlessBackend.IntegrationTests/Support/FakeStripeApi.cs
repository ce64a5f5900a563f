using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Features.Payments;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// Stripe's PaymentIntents API as far as the app uses it, on 127.0.0.1 (Stripe itself cannot be reached here): create,
/// confirm, capture, cancel, retrieve, with Stripe's statuses, error bodies and idempotent replay of a key's first
/// answer. Refunds (POST /v1/refunds with payment_intent, amount, metadata; GET /v1/refunds/{id}) on a captured intent,
/// refused as Stripe refuses them: an unknown intent (404 resource_missing on payment_intent), one with no successful
/// charge, a refund of a fully refunded charge (charge_already_refunded), an amount above what is left of the charge
/// (400 on param amount; the code Stripe gives there is not documented, so none is sent). A card refund succeeds at once;
/// pm_card_refundFail's then fails later (<see cref="FailRefund"/>), as Stripe's test card does. Pending refunds are not
/// reproduced. Payment methods are Stripe's test ones, as the local provider names them: pm_card_visa authorizes,
/// pm_card_authenticationRequired needs 3-D Secure, the declining ones decline with their code. Every request is
/// recorded; <see cref="Answer"/> can replace the answer (a 500, a 429).
/// </summary>
public sealed class FakeStripeApi : IAsyncDisposable
{
    public const string SecretKey = "sk_test_fake_4eC39HqLyjWDarjtT1zdp7dc";

    private WebApplication _app = null!;
    private readonly ConcurrentDictionary<string, JsonObject> _intents = new();
    private readonly ConcurrentDictionary<string, JsonObject> _refunds = new();
    private readonly ConcurrentDictionary<string, (string Request, int Status, string Body)> _replies = new();
    private readonly ConcurrentDictionary<string, byte> _inFlight = new();
    private int _sequence;



    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentQueue<StripeApiRequest> Requests { get; } = new();

    /// <summary>What the fake itself threw (a bug here, answered 500): a test that sees a 500 it did not ask for looks here.</summary>
    public ConcurrentQueue<Exception> Failures { get; } = new();

    /// <summary>When set and returning a value, answers the request instead of the API (status, JSON body).</summary>
    public Func<StripeApiRequest, (int Status, string Body)?>? Answer { get; set; }

    public static async Task<FakeStripeApi> StartAsync()
    {
        var api = new FakeStripeApi();
        (api._app, api.BaseUrl) = await LoopbackServer.StartAsync(api.ServeAsync);
        return api;
    }

    public JsonObject Intent(string id) => _intents[id];

    public JsonObject Refund(string id) => _refunds[id];

    /// <summary>Every refund made, in no particular order.</summary>
    public IReadOnlyCollection<JsonObject> Refunds => [.. _refunds.Values];

    /// <summary>A refund that succeeded fails later (pm_card_refundFail's; a closed card): Stripe sends refund.failed with the refund then.</summary>
    public JsonObject FailRefund(string id)
    {
        var refund = _refunds[id];
        var intent = _intents[(string)refund["payment_intent"]!];
        lock (intent)
        {
            refund["status"] = "failed";
            refund["failure_reason"] = "expired_or_canceled_card";
            intent["amount_refunded"] = intent["amount_refunded"]!.GetValue<long>() - refund["amount"]!.GetValue<long>();
        }

        return refund;
    }

    /// <summary>The customer completes 3-D Secure in the browser: the intent is authorized and Stripe sends amount_capturable_updated.</summary>
    public JsonObject CompleteAction(string id)
    {
        var intent = _intents[id];
        intent["status"] = "requires_capture";
        intent["amount_capturable"] = intent["amount"]!.GetValue<long>();
        intent["next_action"] = null;
        return intent;
    }

    /// <summary>The customer fails 3-D Secure: the intent needs a new payment method and Stripe sends payment_intent.payment_failed.</summary>
    public JsonObject FailAction(string id)
    {
        var intent = _intents[id];
        intent["status"] = "requires_payment_method";
        intent["next_action"] = null;
        intent["last_payment_error"] = new JsonObject { ["type"] = "card_error", ["code"] = "payment_intent_authentication_failure" };
        return intent;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task ServeAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : null;
        var request = new StripeApiRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            form?.ToDictionary(f => f.Key, f => f.Value.ToString()) ?? [],
            context.Request.Headers.Authorization.ToString(),
            context.Request.Headers.TryGetValue("Idempotency-Key", out var key) ? key.ToString() : null);
        Requests.Enqueue(request);

        (int Status, string Body) answer;
        try
        {
            answer = Answer?.Invoke(request) ?? Replay(request);
        }
        catch (Exception e)
        {
            Failures.Enqueue(e);
            throw;
        }

        var (status, body) = answer;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["Request-Id"] = $"req_{Interlocked.Increment(ref _sequence)}";
        await context.Response.WriteAsync(body);
    }

    // Stripe answers a repeated idempotency key with the first answer, whatever happened since; the key sent
    // with another request (path or parameters) is an idempotency_error; while the key's first request is still being
    // served, another with it is a 409 idempotency_key_in_use (the client retries it).
    private (int Status, string Body) Replay(StripeApiRequest request)
    {
        if (request.IdempotencyKey is not { } key || request.Method != "POST")
        {
            return Serve(request);
        }

        var signature = request.Path + "?" + string.Join("&", request.Form.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));
        if (!_replies.TryGetValue(key, out var reply))
        {
            if (!_inFlight.TryAdd(key, 0))
            {
                return Error(409, "idempotency_error", "idempotency_key_in_use", "There is currently another in-progress request using this Idempotent Key.");
            }

            try
            {
                var (status, body) = Serve(request);
                reply = _replies.GetOrAdd(key, (signature, status, body));
            }
            finally
            {
                _inFlight.TryRemove(key, out _);
            }
        }

        return reply.Request == signature
            ? (reply.Status, reply.Body)
            : Error(400, "idempotency_error", null, "Keys for idempotent requests can only be used with the same parameters they were first used with.");
    }

    private (int Status, string Body) Serve(StripeApiRequest request)
    {
        if (request.Authorization != $"Bearer {SecretKey}")
        {
            return Error(401, "invalid_request_error", null, "Invalid API Key provided.");
        }

        var segments = request.Path.Trim('/').Split('/');
        if (segments is ["v1", "payment_intents"] && request.Method == "POST")
        {
            return Create(request.Form);
        }

        if (segments is ["v1", "refunds", ..])
        {
            return ServeRefunds(request, segments);
        }

        if (segments is not ["v1", "payment_intents", var id, ..] || !_intents.TryGetValue(id, out var intent))
        {
            return Error(404, "invalid_request_error", "resource_missing", "No such payment_intent.");
        }

        lock (intent)
        {
            return (request.Method, segments.Length > 3 ? segments[3] : null) switch
            {
                ("GET", null) => Ok(intent),
                ("POST", "confirm") => Confirm(intent, request.Form),
                ("POST", "capture") => Capture(intent, request.Form),
                ("POST", "cancel") => Cancel(intent),
                _ => Error(404, "invalid_request_error", null, "Unrecognized request URL."),
            };
        }
    }

    private static HashSet<string> KnownPaymentMethods =>
        ["pm_card_visa", LocalPaymentProvider.AuthenticationRequired, .. LocalPaymentProvider.DeclinedMethods.Keys, .. LocalPaymentProvider.RefundFailingMethods.Keys];

    private (int, string) Create(IReadOnlyDictionary<string, string> form)
    {
        // Stripe checks a payment method given at creation and refuses the creation for one it does not know.
        if (form.GetValueOrDefault("payment_method") is { } method && !KnownPaymentMethods.Contains(method))
        {
            return UnknownPaymentMethod(method);
        }

        var id = $"pi_{Interlocked.Increment(ref _sequence):D6}{Guid.NewGuid():N}"[..27];
        var intent = new JsonObject
        {
            ["id"] = id,
            ["object"] = "payment_intent",
            ["amount"] = long.Parse(form["amount"], System.Globalization.CultureInfo.InvariantCulture),
            ["amount_capturable"] = 0,
            ["amount_received"] = 0,
            ["amount_refunded"] = 0L,
            ["currency"] = form["currency"],
            ["capture_method"] = form.GetValueOrDefault("capture_method", "automatic_async"),
            ["client_secret"] = $"{id}_secret_{Guid.NewGuid():N}",
            ["livemode"] = false,
            ["payment_method"] = form.GetValueOrDefault("payment_method"),
            ["status"] = form.ContainsKey("payment_method") ? "requires_confirmation" : "requires_payment_method",
            ["metadata"] = new JsonObject(form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal))
                .Select(f => KeyValuePair.Create(f.Key[9..^1], (JsonNode?)f.Value))),
            ["last_payment_error"] = null,
            ["next_action"] = null,
            ["cancellation_reason"] = null,
        };
        _intents[id] = intent;
        return Ok(intent);
    }

    private static (int, string) Confirm(JsonObject intent, IReadOnlyDictionary<string, string> form)
    {
        if ((string?)intent["status"] is not ("requires_payment_method" or "requires_confirmation" or "requires_action"))
        {
            return UnexpectedState(intent, "confirm");
        }

        var method = form.GetValueOrDefault("payment_method") ?? (string?)intent["payment_method"];
        if (method is null || !KnownPaymentMethods.Contains(method))
        {
            return UnknownPaymentMethod(method);
        }

        intent["payment_method"] = method;
        switch (method)
        {
            case not null when method == "pm_card_visa" || LocalPaymentProvider.RefundFailingMethods.ContainsKey(method):
                intent["status"] = "requires_capture";
                intent["amount_capturable"] = intent["amount"]!.GetValue<long>();
                return Ok(intent);
            case LocalPaymentProvider.AuthenticationRequired:
                intent["status"] = "requires_action";
                intent["next_action"] = new JsonObject { ["type"] = "use_stripe_sdk" };
                return Ok(intent);
            case not null when LocalPaymentProvider.DeclinedMethods.TryGetValue(method, out var decline):
                intent["status"] = "requires_payment_method";
                intent["last_payment_error"] = new JsonObject { ["type"] = "card_error", ["code"] = "card_declined", ["decline_code"] = decline };
                return (402, new JsonObject
                {
                    ["error"] = new JsonObject
                    {
                        ["type"] = "card_error",
                        ["code"] = "card_declined",
                        ["decline_code"] = decline,
                        ["message"] = "Your card was declined.",
                        ["payment_intent"] = intent.DeepClone(),
                    },
                }.ToJsonString());
            default:
                throw new InvalidOperationException($"{method} is known but has no outcome here.");
        }
    }

    private static (int, string) Capture(JsonObject intent, IReadOnlyDictionary<string, string> form)
    {
        if ((string?)intent["status"] != "requires_capture")
        {
            return UnexpectedState(intent, "capture");
        }

        var amount = form.TryGetValue("amount_to_capture", out var requested) ? long.Parse(requested, System.Globalization.CultureInfo.InvariantCulture) : intent["amount_capturable"]!.GetValue<long>();
        intent["status"] = "succeeded";
        intent["amount_received"] = amount;
        intent["amount_capturable"] = 0;
        return Ok(intent);
    }

    private static (int, string) Cancel(JsonObject intent)
    {
        if ((string?)intent["status"] is "succeeded" or "canceled")
        {
            return UnexpectedState(intent, "cancel");
        }

        intent["status"] = "canceled";
        intent["amount_capturable"] = 0;
        return Ok(intent);
    }

    private (int, string) ServeRefunds(StripeApiRequest request, string[] segments)
    {
        if (segments is ["v1", "refunds", var refundId] && request.Method == "GET")
        {
            return _refunds.TryGetValue(refundId, out var found) ? Ok(found) : Error(404, "invalid_request_error", "resource_missing", "No such refund.", param: "id");
        }

        if (segments is not ["v1", "refunds"] || request.Method != "POST")
        {
            return Error(404, "invalid_request_error", null, "Unrecognized request URL.");
        }

        if (!request.Form.TryGetValue("payment_intent", out var intentId) || !_intents.TryGetValue(intentId, out var intent))
        {
            return Error(404, "invalid_request_error", "resource_missing", $"No such payment_intent: '{intentId}'", param: "payment_intent");
        }

        lock (intent)
        {
            if ((string?)intent["status"] != "succeeded")
            {
                return Error(400, "invalid_request_error", null, $"This PaymentIntent ({intentId}) does not have a successful charge to refund.");
            }

            var left = intent["amount_received"]!.GetValue<long>() - intent["amount_refunded"]!.GetValue<long>();
            if (left <= 0)
            {
                return Error(400, "invalid_request_error", "charge_already_refunded", $"Charge for {intentId} has already been refunded.");
            }

            var amount = request.Form.TryGetValue("amount", out var asked) ? long.Parse(asked, System.Globalization.CultureInfo.InvariantCulture) : left;
            if (amount > left)
            {
                return Error(400, "invalid_request_error", null, $"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})", param: "amount");
            }

            var id = $"re_{Interlocked.Increment(ref _sequence):D6}{Guid.NewGuid():N}"[..27];
            var refund = new JsonObject
            {
                ["id"] = id,
                ["object"] = "refund",
                ["amount"] = amount,
                ["currency"] = intent["currency"]?.DeepClone(),
                ["payment_intent"] = intentId,
                ["status"] = "succeeded",
                ["failure_reason"] = null,
                ["reason"] = null,
                ["metadata"] = new JsonObject(request.Form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal))
                    .Select(f => KeyValuePair.Create(f.Key[9..^1], (JsonNode?)f.Value))),
            };
            intent["amount_refunded"] = intent["amount_refunded"]!.GetValue<long>() + amount;
            _refunds[id] = refund;
            return Ok(refund);
        }
    }

    private static (int, string) UnexpectedState(JsonObject intent, string action) =>
        Error(400, "invalid_request_error", "payment_intent_unexpected_state", $"You cannot {action} this PaymentIntent because it has a status of {intent["status"]}.");

    private static (int, string) Ok(JsonObject intent) => (200, intent.ToJsonString());

    public static (int, string) Error(int status, string type, string? code, string message, string? param = null) =>
        (status, new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message, ["param"] = param } }.ToJsonString());

    /// <summary>Stripe's answer to a payment method id it does not know, wherever one is given.</summary>
    private static (int, string) UnknownPaymentMethod(string? method) =>
        Error(400, "invalid_request_error", "resource_missing", $"No such PaymentMethod: '{method}'", param: "payment_method");
}

/// <summary>One request as the fake Stripe API received it: form fields as sent (metadata[order_id], amount, ...).</summary>
public sealed record StripeApiRequest(string Method, string Path, IReadOnlyDictionary<string, string> Form, string Authorization, string? IdempotencyKey);
