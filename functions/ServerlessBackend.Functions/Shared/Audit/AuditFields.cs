namespace ServerlessBackend.Functions.Shared.Audit;

/// <summary>
/// The fields (top-level JSON names) an entry records before and after, per resource type: what an admin or operator
/// changes. Nothing else reaches the log, so no contact email, payment detail or secret can.
/// </summary>
public static class AuditFields
{
    public static IReadOnlyList<string> Product { get; } = ["name", "description", "price", "currency", "availableStock", "active"];

    /// <summary>The status, and the minor units refunded or being refunded (a refund request adds to it: who gave back how much).</summary>
    public static IReadOnlyList<string> Order { get; } = ["status", "refundedMinor"];

    public static IReadOnlyList<string> Tenant { get; } = ["displayName", "status"];
}
