using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Orders;

/// <summary>The refund a request recorded, or the one its first attempt recorded (<see cref="Replayed"/>).</summary>
public sealed record RequestedRefund(string OrderId, OrderRefund Refund, bool Replayed);

/// <summary>
/// An admin refunds a shipped, captured order, in full or by lines or amount (<see cref="RefundRules"/>). Idempotent like
/// placement, without a key store: the refund id is derived from (tenant, order, Idempotency-Key) and the refund, with
/// its request hash, is a record on the order, so a retry finds it (same body: the refund again, 202; another body: 422).
/// The refund is written with its RefundRequested event in one replace on the ETag the decision was made on: concurrent
/// requests each decide on the order they read, the losers of the race read it again and decide again, so their sum never
/// exceeds the capture. A refused request writes nothing (a retry is decided afresh); the provider is asked by the payment
/// consumer, after the 202.
/// </summary>
public sealed class RequestRefundHandler(IOrderStore orders, OrderTransitions transitions, TimeProvider clock)
{
    // A client waits: fewer attempts than a message's consumer makes (as cancel and ship).
    private const int Attempts = 3;

    public async Task<Outcome<RequestedRefund>> HandleAsync(Caller caller, string orderId, string idempotencyKey, RefundRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var errors = request.Validate();
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var refundId = RefundId(caller.TenantId, orderId, idempotencyKey);
        var requestHash = Idempotency.Hash(request);
        try
        {
            return await ETagRaces.DecideAsync(
                await ReadOrdersHandler.ReadVisibleAsync(orders, caller, orderId, cancellationToken),
                current => DecideAsync(caller, current, refundId, requestHash, request, cancellationToken),
                _ => ReadOrdersHandler.ReadVisibleAsync(orders, caller, orderId, cancellationToken),
                Attempts);
        }
        catch (DocumentPreconditionFailedException)
        {
            return ApiError.Contended("The order");
        }
    }

    /// <summary>"rfd-" and 24 hex digits of SHA-256 over tenant, order and key: the same request always maps to the same refund.</summary>
    public static string RefundId(string tenantId, string orderId, string idempotencyKey)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{tenantId}\n{orderId}\n{idempotencyKey}"));
        return "rfd-" + Convert.ToHexStringLower(digest)[..24];
    }

    private async Task<Outcome<RequestedRefund>> DecideAsync(
        Caller caller, Versioned<Order>? current, string refundId, string requestHash, RefundRequest request, CancellationToken cancellationToken)
    {
        if (current is null)
        {
            return ApiError.NotFound("The order");
        }

        var order = current.Value;
        if (order.Refund(refundId) is { } earlier)
        {
            return string.Equals(earlier.RequestHash, requestHash, StringComparison.Ordinal)
                ? Outcome.Ok(new RequestedRefund(order.Id, earlier, Replayed: true))
                : new ApiError(ProblemKind.Unprocessable, "This Idempotency-Key was already used with a different request body.");
        }

        long? amountMinor = null;
        if (request.Amount is { } amount)
        {
            if (!MinorUnits.TryConvert(amount, order.Currency, out var minor))
            {
                return ApiError.Field("amount", $"Not a whole number of {order.Currency}'s minor units ({MinorUnits.Decimals(order.Currency)} decimals).");
            }

            amountMinor = minor;
        }

        var lines = (request.Lines ?? []).Select(l => new RefundLine(l!.ProductId!, l.Quantity!.Value, l.WithReturn)).ToList();
        var verdict = RefundRules.Decide(order, new RefundAsk(lines, amountMinor));
        if (verdict.Refusal is { } refusal)
        {
            return Refused(refusal, verdict);
        }

        var now = clock.GetUtcNow();
        var refund = new OrderRefund
        {
            Id = refundId,
            Status = RefundStatus.Requested,
            AmountMinor = verdict.AmountMinor,
            Currency = order.Payment!.Currency,
            Lines = verdict.Lines,
            Reason = request.Reason,
            RequestHash = requestHash,
            History = [new RefundChange(RefundStatus.Requested, now, Code: null)],
        };
        var written = await transitions.RequestRefundAsync(current, refund, Activity.Current?.TraceId.ToString(), new AuditAction(AuditActor.Of(caller), "order.refundRequested"), cancellationToken);
        return Outcome.Ok(new RequestedRefund(order.Id, written.Value.Refund(refundId)!, Replayed: false));
    }

    /// <summary>The order's state refuses it (409: not shipped, not captured, over what is left of the capture); a line it does not have or has not enough of is a 422 naming the field.</summary>
    private static ApiError Refused(RefundRefusal refusal, RefundVerdict verdict) => refusal switch
    {
        RefundRefusal.UnknownLine or RefundRefusal.LineOverRefunded =>
            new ApiError(ProblemKind.Unprocessable, "The refund does not match the order's lines; see errors.", new Dictionary<string, string[]> { [verdict.Field!] = [verdict.Detail!] }),
        _ => new ApiError(ProblemKind.Conflict, verdict.Detail!),
    };
}
