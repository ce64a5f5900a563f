namespace ServerlessBackend.Functions.Domain.Orders;

public enum OrderStatus
{
    Pending,
    Confirmed,
    Rejected,
    Shipped,
    Cancelled,
}
