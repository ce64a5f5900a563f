namespace ServerlessBackend.Functions.Shared.Audit;

/// <summary>The app settings section <c>Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Audit";

    /// <summary>Days Cosmos DB keeps an entry (its per-item TTL); 0 keeps entries until they are deleted outside the API.</summary>
    public int RetentionDays { get; set; } = 365;
}
