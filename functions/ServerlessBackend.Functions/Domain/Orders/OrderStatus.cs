namespace ServerlessBackend.Functions.Domain.Orders;

public enum OrderStatus
{
    Pending,

    /// <summary>Stock reserved; the payment is not authorized yet.</summary>
    AwaitingPayment,
    Confirmed,
    Rejected,
    Shipped,
    Cancelled,
}
