namespace ServerlessBackend.Functions.Features.Email;

/// <summary>What an order email shows: the order as the customer knows it (a refund email: the refund's lines and amount, labelled <see cref="TotalLabel"/>).</summary>
public sealed record OrderEmailModel(string OrderId, string To, string Currency, decimal Total, IReadOnlyList<OrderEmailLine> Lines, string? Reason, string TotalLabel = "Total");

public sealed record OrderEmailLine(string Name, int Quantity, decimal LineTotal);
