namespace ServerlessBackend.Tests.Support;

/// <summary>Carries the MSBuild configuration into the test assembly, to find the app's build output.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class BuildConfigurationAttribute(string configuration) : Attribute
{
    public string Configuration { get; } = configuration;
}
