namespace ServerlessBackend.Functions.Platform.Hosting;

/// <summary>A dependency the readiness probe checks; throws (or is cancelled) when the dependency is not usable.</summary>
public interface IReadinessCheck
{
    string Name { get; }

    Task CheckAsync(CancellationToken cancellationToken);
}
