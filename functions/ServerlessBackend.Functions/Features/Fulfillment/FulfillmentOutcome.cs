namespace ServerlessBackend.Functions.Features.Fulfillment;

/// <summary>What a fulfillment handler did with an event.</summary>
public enum FulfillmentOutcome
{
    /// <summary>Stock reserved; the order awaits its payment.</summary>
    Reserved,
    Rejected,
    Released,
    Committed,

    /// <summary>Returned goods given back to stock.</summary>
    Restocked,
    AlreadyDone,
    NotForFulfillment,
}
