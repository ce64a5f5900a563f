namespace ServerlessBackend.Functions.Domain.Payments;

/// <summary>Where an order's payment stands with its provider.</summary>
public enum PaymentStatus
{
    /// <summary>Created at the provider, nothing held yet.</summary>
    Created,

    /// <summary>The customer must act (3-D Secure); the outcome arrives later.</summary>
    ActionRequired,

    /// <summary>The amount is held, not yet taken.</summary>
    Authorized,

    /// <summary>Refused; nothing is held.</summary>
    Declined,

    /// <summary>The held amount is taken (the order shipped).</summary>
    Captured,

    /// <summary>The provider refused the capture for good (e.g. the authorization expired); nothing was taken.</summary>
    CaptureFailed,

    /// <summary>Cancelled at the provider; nothing is held.</summary>
    Voided,
}
