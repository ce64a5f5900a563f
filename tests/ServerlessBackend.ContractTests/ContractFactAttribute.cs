using ServerlessBackend.ContractTests.Targets;
using ServerlessBackend.Load;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ServerlessBackend.ContractTests;

/// <summary>
/// A contract test and the callers it needs. On the local host it always runs; on the discovered target (a test class
/// marked <see cref="IRunsOnDiscoveredTarget"/>) it exists only when there is a target and, for API_BASE_URL, a token for
/// each caller it needs; otherwise it is not discovered at all, like the emulator suites.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("ServerlessBackend.ContractTests.ContractFactDiscoverer", "ServerlessBackend.ContractTests")]
public sealed class ContractFactAttribute(params Identity[] needs) : FactAttribute
{
    public IReadOnlyList<Identity> Needs { get; } = needs;

    /// <summary>Only on an app the suite started itself without Service Bus (it knows Service Bus is unreachable there).</summary>
    public bool NeedsServiceBusDown { get; init; }
}

/// <summary>Marks the test classes that run on the discovered target rather than on the local host.</summary>
public interface IRunsOnDiscoveredTarget;

public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _facts = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        ArgumentNullException.ThrowIfNull(factAttribute);
        var fact = (ContractFactAttribute)((IReflectionAttributeInfo)factAttribute).Attribute;
        var onDiscovered = typeof(IRunsOnDiscoveredTarget).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType());
        return Runs(fact, onDiscovered, Environment.GetEnvironmentVariable) ? _facts.Discover(discoveryOptions, testMethod, factAttribute) : [];
    }

    public static bool Runs(ContractFactAttribute fact, bool onDiscoveredTarget, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(fact);
        var serviceBusGiven = environment(TargetDiscovery.ServiceBusVariable) is { Length: > 0 };
        if (!onDiscoveredTarget)
        {
            return !fact.NeedsServiceBusDown || !serviceBusGiven;
        }

        return TargetDiscovery.Discover(environment) switch
        {
            null => false,
            { Kind: TargetKind.ApiBaseUrl } => !fact.NeedsServiceBusDown && new ApiIdentities(environment).HasAll(fact.Needs),
            _ => !fact.NeedsServiceBusDown || !serviceBusGiven,
        };
    }
}
