using ServerlessBackend.Load;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.ContractTests.Targets;

/// <summary>
/// The target the environment names (API_BASE_URL, else func on PATH, which this fixture starts). Its tests are only
/// discovered when there is one (<see cref="ContractFactDiscoverer"/>).
/// </summary>
public sealed class DiscoveredApp : IContractApp, IDisposable
{
    private readonly FuncApp? _started;

    public DiscoveredApp()
    {
        var target = TargetDiscovery.Discover(Environment.GetEnvironmentVariable)
            ?? throw new InvalidOperationException("No target: set API_BASE_URL or put Azure Functions Core Tools (func) on PATH.");
        if (target.Kind == TargetKind.ApiBaseUrl)
        {
            BaseUrl = target.BaseUrl!;
            Identities = new ApiIdentities(Environment.GetEnvironmentVariable);
            Description = $"{TargetDiscovery.BaseUrlVariable}={BaseUrl}";
        }
        else
        {
            _started = FuncApp.Start(target.FuncPath!, RepoPaths.FunctionsOutput, Environment.GetEnvironmentVariable, $"func start ({target.FuncPath})");
            BaseUrl = _started.BaseUrl;
            Identities = _started.Identities;
            Description = _started.Description;
        }
    }

    public Uri BaseUrl { get; }

    public ApiIdentities Identities { get; }

    public string Description { get; }

    public void Dispose() => _started?.Dispose();
}

/// <summary>The app under the local host (a stand-in for the Functions host's HTTP routing), started through the same func start logic with a stand-in func: always available.</summary>
public sealed class LocalHostApp : IContractApp, IDisposable
{
    private readonly StandInFunc _func = new();
    private readonly FuncApp _app;

    public LocalHostApp()
    {
        _app = FuncApp.Start(_func.Path, RepoPaths.FunctionsOutput, Environment.GetEnvironmentVariable, "the local host, a stand-in for the Functions host's HTTP routing");
    }

    public Uri BaseUrl => _app.BaseUrl;

    public ApiIdentities Identities => _app.Identities;

    public string Description => _app.Description;

    public IReadOnlyDictionary<string, string> Settings => _app.Settings;

    public void Dispose()
    {
        _app.Dispose();
        _func.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DiscoveredAppCollection : ICollectionFixture<DiscoveredApp>
{
    public const string Name = "Discovered app";
}

[CollectionDefinition(Name)]
public sealed class LocalHostCollection : ICollectionFixture<LocalHostApp>
{
    public const string Name = "Local host";
}
