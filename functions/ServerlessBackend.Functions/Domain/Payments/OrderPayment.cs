namespace ServerlessBackend.Functions.Domain.Payments;

/// <summary>
/// An order's payment, kept on the order document so each change is written with the order status it goes with.
/// <see cref="ClientSecret"/> is what the customer's browser needs to complete an action (3-D Secure); it is kept
/// only while the action is required.
/// </summary>
public sealed record OrderPayment
{
    /// <summary>The provider holding the payment (IPaymentProvider.Name).</summary>
    public required string Provider { get; init; }

    public required string PaymentId { get; init; }

    public required PaymentStatus Status { get; init; }

    /// <summary>The order total in the currency's minor units (see <see cref="MinorUnits"/>).</summary>
    public required long AmountMinor { get; init; }

    public required string Currency { get; init; }

    public string? ClientSecret { get; init; }

    /// <summary>The provider's code for a decline or a refused capture (a code, never personal data).</summary>
    public string? FailureCode { get; init; }

    public required IReadOnlyList<PaymentChange> History { get; init; }

    /// <summary>A payment just created at its provider.</summary>
    public static OrderPayment Created(string provider, string paymentId, long amountMinor, string currency, DateTimeOffset now) => new()
    {
        Provider = provider,
        PaymentId = paymentId,
        Status = PaymentStatus.Created,
        AmountMinor = amountMinor,
        Currency = currency,
        History = [new PaymentChange(PaymentStatus.Created, now, Code: null)],
    };

    /// <summary>Moves to <paramref name="target"/>, appending to the history; throws for a forbidden move.</summary>
    public OrderPayment MoveTo(PaymentStatus target, DateTimeOffset now, string? code = null, string? clientSecret = null)
    {
        if (!PaymentStateMachine.CanTransition(Status, target))
        {
            throw new InvalidPaymentTransitionException(Status, target);
        }

        return this with
        {
            Status = target,
            ClientSecret = target == PaymentStatus.ActionRequired ? clientSecret : null,
            FailureCode = target is PaymentStatus.Declined or PaymentStatus.CaptureFailed ? code : FailureCode,
            History = [.. History, new PaymentChange(target, now, code)],
        };
    }

    /// <summary>Whether the payment has ever been in <paramref name="status"/>.</summary>
    public bool HasBeen(PaymentStatus status) => History.Any(h => h.Status == status);
}

/// <summary>One entry of the payment's history.</summary>
public sealed record PaymentChange(PaymentStatus Status, DateTimeOffset At, string? Code);
