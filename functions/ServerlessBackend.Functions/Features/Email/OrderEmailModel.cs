namespace ServerlessBackend.Functions.Features.Email;

/// <summary>What an order email shows: the order as the customer knows it.</summary>
public sealed record OrderEmailModel(string OrderId, string To, string Currency, decimal Total, IReadOnlyList<OrderEmailLine> Lines, string? Reason);

public sealed record OrderEmailLine(string Name, int Quantity, decimal LineTotal);
