namespace ServerlessBackend.Functions.Domain.Orders;

/// <summary>Where one refund of an order stands with the payment provider.</summary>
public enum RefundStatus
{
    /// <summary>Recorded on the order; the provider has not been asked yet (the payment consumer asks it).</summary>
    Requested,

    /// <summary>The provider took the refund and reports its outcome later (Stripe: pending, requires_action).</summary>
    Pending,

    /// <summary>The money is on its way back to the customer.</summary>
    Succeeded,

    /// <summary>The provider refused or could not complete it; its amount counts no more against the capture.</summary>
    Failed,
}
