using System.Diagnostics;

namespace ServerlessBackend.Functions.Platform.Telemetry;

/// <summary>
/// The app's own telemetry: its ActivitySource (spans) and its Meter (metrics) share this name, which the
/// OpenTelemetry setup subscribes to.
/// </summary>
public static class AppTelemetry
{
    public const string Name = "ServerlessBackend";

    public static ActivitySource Source { get; } = new(Name);
}
