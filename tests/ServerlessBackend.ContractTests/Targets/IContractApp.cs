using ServerlessBackend.Load;

namespace ServerlessBackend.ContractTests.Targets;

/// <summary>A running app the suite drives: its base URL (ending in the route prefix, e.g. http://localhost:7071/api/) and the callers' tokens.</summary>
public interface IContractApp
{
    Uri BaseUrl { get; }

    ApiIdentities Identities { get; }

    /// <summary>What the app is (shown in failures): which discovery path found it.</summary>
    string Description { get; }
}
