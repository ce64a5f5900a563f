namespace ServerlessBackend.Functions.Features.Payments;

/// <summary>What a payment handler did with an event.</summary>
public enum PaymentOutcome
{
    Authorized,
    Declined,
    ActionRequired,
    Captured,
    CaptureFailed,
    Voided,
    VoidRefused,
    Refunded,
    RefundFailed,

    /// <summary>The provider took the refund; its outcome comes later (webhook).</summary>
    RefundPending,

    /// <summary>The order has no payment to act on.</summary>
    NoPayment,

    /// <summary>Decided before this delivery got to it (a duplicate, stale or concurrent delivery).</summary>
    AlreadyDone,
    NotForPayments,
}

/// <summary>What <see cref="ApplyPaymentOutcomeHandler.HandleAsync"/> did with a provider's later outcome.</summary>
public enum PaymentUpdate
{
    /// <summary>Recorded (and for an ended order, voided).</summary>
    Applied,

    /// <summary>The payment already has this outcome.</summary>
    AlreadyApplied,

    /// <summary>The payment was decided otherwise before this outcome arrived (nothing written).</summary>
    Superseded,

    /// <summary>No such order in the tenant (nothing written).</summary>
    UnknownOrder,

    /// <summary>The order exists but its payment is not this payment of this provider (nothing written).</summary>
    Mismatch,
}
