using System.Text.Json;
using System.Text.RegularExpressions;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>An Azure RBAC role assignment in the compiled deployment, with its role ids resolved (a loop gives several).</summary>
public sealed record RoleAssignment(string Module, string ScopeType, IReadOnlyList<string> RoleIds, string Principal);

public static partial class RoleAssignments
{
    public const string OwnerRole = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    public const string ContributorRole = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    public const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    public const string ServiceBusDataReceiver = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
    public const string ServiceBusDataOwner = "090c5cfd-751d-490a-894a-3ce6f1109419";
    public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    public const string CommunicationAndEmailServiceOwner = "09976791-48a7-449e-bb21-39d1a415f350";

    /// <summary>The principal expression of an assignment to the Function App's user-assigned identity.</summary>
    public const string AppIdentityPrincipal = "userAssignedIdentities', parameters('appIdentityName')";

    public static IReadOnlyList<RoleAssignment> All() =>
        CompiledInfra.AllResources()
            .Where(r => r.Resource.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments")
            .Select(r => Read(r.Module, r.Resource))
            .ToList();

    private static RoleAssignment Read(string module, JsonElement resource)
    {
        var properties = resource.GetProperty("properties");
        var scope = ScopeType().Match(resource.GetProperty("scope").GetString()!).Groups["type"].Value;
        var definition = properties.GetProperty("roleDefinitionId").GetString()!;
        return new RoleAssignment(module, scope, RoleIds(module, definition), properties.GetProperty("principalId").GetString()!);
    }

    private static List<string> RoleIds(string module, string definition)
    {
        if (VariableRole().Match(definition) is not { Success: true } match)
        {
            return [RoleGuid().Match(definition).Value];
        }

        var variable = CompiledInfra.ModuleTemplate(module).GetProperty("variables").GetProperty(match.Groups["name"].Value);
        return match.Groups["indexed"].Success
            ? variable.EnumerateArray().Select(v => v.GetString()!).ToList()
            : [variable.GetString()!];
    }

    [GeneratedRegex(@"^\[resourceId\('(?<type>[^']+)'")]
    private static partial Regex ScopeType();

    [GeneratedRegex(@"variables\('(?<name>[^']+)'\)(?<indexed>\[copyIndex\(\)\])?")]
    private static partial Regex VariableRole();

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex RoleGuid();
}
