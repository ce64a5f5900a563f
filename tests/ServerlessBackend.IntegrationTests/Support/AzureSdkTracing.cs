using System.Runtime.CompilerServices;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// The Azure SDKs read their tracing switch once, at their first operation; the app sets it while composing, before any
/// client runs. The shared fixtures' clients run before a test class composes anything, so the tests set it as the app
/// does, before any fixture starts.
/// </summary>
internal static class AzureSdkTracing
{
    [ModuleInitializer]
    internal static void Enable() => TelemetryServiceCollectionExtensions.EnableAzureSdkActivitySources();
}
