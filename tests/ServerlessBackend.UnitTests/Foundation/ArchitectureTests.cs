using System.Reflection;
using NetArchTest.Rules;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.UnitTests.Foundation;

/// <summary>
/// The direction of the app, read from the compiled assembly. Four layers: Domain (plain C# rules) and Platform
/// (HTTP, auth, hosting, telemetry, JSON, Cosmos and Service Bus plumbing) know nothing of each other or of the
/// rest; Shared (stores and messages that know the domain) uses both; a feature uses the three and never another
/// feature. No two modules (folders such as Domain.Orders or Platform.Http) use each other, directly or around a
/// circle. Failures name the first use found and what to move.
/// </summary>
public sealed class ArchitectureTests
{
    private const string App = "ServerlessBackend.Functions";

    private static readonly Assembly Assembly = typeof(ApiProblems).Assembly;

    private static readonly Lazy<NamespaceGraph> Graph = new(() => NamespaceGraph.Read(Assembly.Location, App));

    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Domain"] = ["Domain"],
        ["Platform"] = ["Platform"],
        ["Shared"] = ["Domain", "Platform", "Shared"],
        ["Features"] = ["Domain", "Platform", "Shared"],
    };

    private static readonly Dictionary<string, string> WhatToMove = new(StringComparer.Ordinal)
    {
        ["Domain"] = "the domain is plain C# that uses no other layer; move the dependency out to an adapter in Shared or a feature",
        ["Platform"] = "platform code knows no domain, store or feature type; move the part that needs it up into Shared or the feature, or pass plain values down",
        ["Shared"] = "Shared never depends on a feature; move what several features need down into Shared, what one feature owns stays in it",
        ["Features"] = "a feature never uses another feature's types; move what both need down into Shared (or the domain) or publish a message",
    };

    [Fact]
    public void The_domain_imports_no_Azure_ASP_NET_or_hosting_type()
    {
        var result = Types.InAssembly(Assembly).That().ResideInNamespace(App + ".Domain")
            .ShouldNot().HaveDependencyOnAny("Azure", "Microsoft.Azure", "Microsoft.AspNetCore", "Microsoft.Extensions")
            .GetResult();

        Assert.True(result.IsSuccessful, $"Domain types use a framework; move the dependency out to an adapter in Shared or a feature: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    public static TheoryData<string> Modules() => [.. Graph.Value.Modules.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Modules))]
    public void Each_module_uses_only_the_layers_its_layer_may(string module)
    {
        var violations = Graph.Value.UsesOf(module)
            .Where(use => !May(module, use.Key))
            .Select(use => $"{module} uses {use.Key} ({use.Value.From} uses {use.Value.To}): {WhatToMove[Layer(module)]}")
            .ToList();

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void No_two_modules_use_each_other_directly_or_around_a_circle()
    {
        var cycles = Graph.Value.Cycles()
            .Select(cycle => $"{string.Join(" <-> ", cycle)} use each other; break the circle by moving what they share into one of them or a module below both:\n  "
                + string.Join("\n  ", cycle.SelectMany(m => Graph.Value.UsesOf(m).Where(u => cycle.Contains(u.Key)).Select(u => $"{u.Value.From} uses {u.Value.To}"))))
            .ToList();

        Assert.True(cycles.Count == 0, string.Join('\n', cycles));
    }

    [Fact]
    public void The_graph_sees_uses_in_signatures_code_and_attributes()
    {
        // The rules above hold vacuously if the graph misses uses: these are known ones, one per kind.
        var features = Graph.Value.UsesOf("Features.Orders");
        Assert.Contains("Domain.Orders", features.Keys);
        Assert.Contains("Platform.Http", features.Keys);
        Assert.Contains("Platform.Auth", Graph.Value.UsesOf("Features.Catalog").Keys); // [AdminOnly] attributes
        Assert.Contains("Shared.Orders", features.Keys);
    }

    [Fact]
    public void A_circle_of_uses_is_found_however_long_and_only_its_members_are_named()
    {
        var graph = NamespaceGraph.Of(("A.x", "B.y"), ("B.y", "C.z"), ("C.z", "A.x"), ("C.z", "D.w"), ("E.v", "D.w"));

        var cycle = Assert.Single(graph.Cycles());

        Assert.Equal(["A.x", "B.y", "C.z"], cycle);
        Assert.Empty(NamespaceGraph.Of(("A.x", "B.y"), ("B.y", "C.z"), ("A.x", "C.z")).Cycles());
    }

    [Fact]
    public void The_rules_see_every_module()
    {
        Assert.Equal(
            [
                "Domain", "Domain.Catalog", "Domain.Orders", "Domain.Payments", "Domain.Webhooks",
                "Features.Audit", "Features.Catalog", "Features.Email", "Features.Fulfillment", "Features.Operations", "Features.Orders",
                "Features.Outbox", "Features.Payments", "Features.Privacy", "Features.Tenants", "Features.Webhooks",
                "Platform.Auth", "Platform.Cosmos", "Platform.Hosting", "Platform.Http", "Platform.Json", "Platform.Telemetry",
                "Shared.Audit", "Shared.Catalog", "Shared.Messaging", "Shared.Metrics", "Shared.Orders", "Shared.Tenancy",
            ],
            Graph.Value.Modules.Order(StringComparer.Ordinal));
    }

    private static string Layer(string module) => module.Split('.')[0];

    private static bool May(string module, string used) => Allowed[Layer(module)].Contains(Layer(used));
}
