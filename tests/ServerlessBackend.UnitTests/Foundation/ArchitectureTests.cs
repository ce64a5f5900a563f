using System.Reflection;
using NetArchTest.Rules;
using ServerlessBackend.Functions.Shared.Http;

namespace ServerlessBackend.UnitTests.Foundation;

/// <summary>
/// The dependency rules of the app: the domain imports nothing of the app or of Azure; Shared (the kernel
/// several features use) never depends on a feature; a feature never uses another feature's types.
/// </summary>
public sealed class ArchitectureTests
{
    private const string App = "ServerlessBackend.Functions";
    private const string Domain = App + ".Domain";
    private const string Shared = App + ".Shared";
    private const string Features = App + ".Features";

    private static readonly Assembly Assembly = typeof(ApiProblems).Assembly;

    public static TheoryData<string> FeatureNamespaces() => [.. AllFeatures()];

    private static List<string> AllFeatures() =>
        [.. Assembly.GetTypes()
            .Select(t => t.Namespace)
            .Where(n => n is not null && n.StartsWith(Features + ".", StringComparison.Ordinal))
            .Select(n => string.Join('.', n!.Split('.').Take(4)))
            .Distinct()
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void The_domain_imports_nothing_of_the_app_and_no_Azure_or_ASP_NET_type()
    {
        var result = Types.InAssembly(Assembly).That().ResideInNamespace(Domain)
            .ShouldNot().HaveDependencyOnAny(Features, Shared, "Azure", "Microsoft.Azure", "Microsoft.AspNetCore", "Microsoft.Extensions")
            .GetResult();

        AssertKept(result, "Domain types depend on the app or on a framework; move the dependency out to an adapter in Shared or a feature");
    }

    [Fact]
    public void Shared_never_depends_on_a_feature()
    {
        var result = Types.InAssembly(Assembly).That().ResideInNamespace(Shared).ShouldNot().HaveDependencyOn(Features).GetResult();

        AssertKept(result, "Shared types depend on a feature; what several features need belongs in Shared, what one feature owns stays in it");
    }

    [Theory]
    [MemberData(nameof(FeatureNamespaces))]
    public void A_feature_never_uses_another_feature_s_types(string feature)
    {
        var others = AllFeatures().Where(f => f != feature).ToArray();
        Assert.NotEmpty(others);

        var result = Types.InAssembly(Assembly).That().ResideInNamespace(feature).ShouldNot().HaveDependencyOnAny(others).GetResult();

        AssertKept(result, $"{feature} uses another feature's types; share them through Shared instead");
    }

    [Fact]
    public void The_rules_see_every_feature()
    {
        Assert.Equal(
            ["Audit", "Catalog", "Email", "Fulfillment", "Operations", "Orders", "Outbox", "Payments", "Privacy", "Tenants", "Webhooks"],
            AllFeatures().Select(f => f[(Features.Length + 1)..]));
    }

    private static void AssertKept(TestResult result, string rule) =>
        Assert.True(result.IsSuccessful, $"{rule}: {string.Join(", ", result.FailingTypeNames ?? [])}");
}
