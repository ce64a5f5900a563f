using Xunit.Abstractions;
using Xunit.Sdk;

namespace ServerlessBackend.IntegrationTests.Emulators;

/// <summary>
/// A fact that exists only when the emulator it needs is configured. Without its environment variable the
/// test is not discovered at all (rather than reported as skipped), so a normal run shows only tests that ran.
/// </summary>
public abstract class OptInFactAttribute : FactAttribute
{
    public abstract bool IsConfigured { get; }
}

public sealed class OptInFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _facts = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(factAttribute);
        var attribute = (OptInFactAttribute)((IReflectionAttributeInfo)factAttribute).Attribute;
        return attribute.IsConfigured ? _facts.Discover(discoveryOptions, testMethod, factAttribute) : [];
    }
}
