using System.Collections.Concurrent;
using ServerlessBackend.Functions.Features.Payments;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// A payment provider (the local one by default) that records every call with its idempotency key, and can crash the
/// worker right after a call went through (the provider acted, the order write never happened) or answer a call with
/// another result, as a real provider might.
/// </summary>
public sealed class RecordingPaymentProvider(IPaymentProvider inner) : IPaymentProvider
{
    public RecordingPaymentProvider()
        : this(new LocalPaymentProvider())
    {
    }

    /// <summary>Every call as "Method key", in order.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>The next call of this method (Create, Authorize, Capture, Void, Refund) goes through and then throws, once.</summary>
    public string? CrashAfterNext { get; set; }

    /// <summary>What captures answer instead of the inner provider's (e.g. an expired authorization).</summary>
    public PaymentCallResult? CaptureResult { get; set; }

    /// <summary>Runs once, right after the next authorization returned (e.g. a concurrent cancellation).</summary>
    public Func<Task>? AfterNextAuthorize { get; set; }

    /// <summary>Changes what the next authorization answers, once (e.g. a hold of another amount).</summary>
    public Func<AuthorizationResult, AuthorizationResult>? AlterNextAuthorization { get; set; }

    public string Name => inner.Name;

    public async Task<string> CreateAsync(PaymentRequest request, string idempotencyKey, CancellationToken cancellationToken) =>
        Through("Create", idempotencyKey, await inner.CreateAsync(request, idempotencyKey, cancellationToken));

    public async Task<AuthorizationResult> AuthorizeAsync(string paymentId, PaymentRequest request, string idempotencyKey, CancellationToken cancellationToken)
    {
        var result = Through("Authorize", idempotencyKey, await inner.AuthorizeAsync(paymentId, request, idempotencyKey, cancellationToken));
        if (AlterNextAuthorization is { } alter)
        {
            AlterNextAuthorization = null;
            result = alter(result);
        }

        if (AfterNextAuthorize is { } after)
        {
            AfterNextAuthorize = null;
            await after();
        }

        return result;
    }

    public async Task<PaymentCallResult> CaptureAsync(string paymentId, long amountMinor, string idempotencyKey, CancellationToken cancellationToken) =>
        Through("Capture", idempotencyKey, CaptureResult ?? await inner.CaptureAsync(paymentId, amountMinor, idempotencyKey, cancellationToken));

    public async Task<PaymentCallResult> VoidAsync(string paymentId, string idempotencyKey, CancellationToken cancellationToken) =>
        Through("Void", idempotencyKey, await inner.VoidAsync(paymentId, idempotencyKey, cancellationToken));

    /// <summary>What refunds answer instead of the inner provider's (e.g. a pending refund).</summary>
    public ProviderRefund? RefundResult { get; set; }

    public async Task<ProviderRefund> RefundAsync(RefundCall call, string idempotencyKey, CancellationToken cancellationToken) =>
        Through("Refund", idempotencyKey, RefundResult ?? await inner.RefundAsync(call, idempotencyKey, cancellationToken));

    /// <summary>The calls of one method, by key.</summary>
    public List<string> KeysOf(string method) => Calls.Where(c => c.StartsWith(method + " ", StringComparison.Ordinal)).Select(c => c[(method.Length + 1)..]).ToList();

    private T Through<T>(string method, string key, T result)
    {
        Calls.Enqueue($"{method} {key}");
        if (CrashAfterNext == method)
        {
            CrashAfterNext = null;
            throw new IOException($"worker crashed after {method} went through");
        }

        return result;
    }
}
