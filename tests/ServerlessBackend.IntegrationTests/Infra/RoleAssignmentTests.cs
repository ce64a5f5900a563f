namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>
/// Least privilege: the app's identity holds exactly the data-plane roles it uses, each on the
/// narrowest scope, and no one gets Owner, Contributor or a data Owner role on Service Bus.
/// </summary>
public sealed class RoleAssignmentTests
{
    private static readonly IReadOnlyList<RoleAssignment> Assignments = RoleAssignments.All();

    private static IEnumerable<RoleAssignment> OfApp => Assignments.Where(a => a.Principal.Contains(RoleAssignments.AppIdentityPrincipal, StringComparison.Ordinal));

    [Fact]
    public void The_app_identity_holds_exactly_the_roles_it_needs_on_the_narrowest_scopes()
    {
        var granted = OfApp
            .SelectMany(a => a.RoleIds.Select(role => (a.ScopeType, role)))
            .Order()
            .ToList();

        (string, string)[] expected =
        [
            ("Microsoft.Insights/components", RoleAssignments.MonitoringMetricsPublisher),
            ("Microsoft.KeyVault/vaults", RoleAssignments.KeyVaultSecretsUser),
            ("Microsoft.ServiceBus/namespaces/topics", RoleAssignments.ServiceBusDataSender),
            ("Microsoft.ServiceBus/namespaces/topics/subscriptions", RoleAssignments.ServiceBusDataReceiver),
            ("Microsoft.Storage/storageAccounts", RoleAssignments.StorageBlobDataOwner),
            ("Microsoft.Storage/storageAccounts", RoleAssignments.StorageTableDataContributor),
        ];
        Assert.Equal(expected.Order(), granted);
    }

    [Fact]
    public void The_receiver_role_is_granted_on_every_subscription_by_looping_over_them()
    {
        var receiver = Assert.Single(OfApp, a => a.ScopeType == "Microsoft.ServiceBus/namespaces/topics/subscriptions");
        var resource = CompiledInfra.Resources("serviceBus", "Microsoft.Authorization/roleAssignments")
            .Single(r => r.GetProperty("scope").GetString()!.Contains("topics/subscriptions", StringComparison.Ordinal));

        Assert.Equal([RoleAssignments.ServiceBusDataReceiver], receiver.RoleIds);
        Assert.Equal("[length(parameters('subscriptions'))]", resource.GetProperty("copy").GetProperty("count").GetString());
    }

    [Fact]
    public void No_one_is_granted_owner_contributor_or_service_bus_data_owner()
    {
        var roles = Assignments.SelectMany(a => a.RoleIds).ToList();

        Assert.DoesNotContain(RoleAssignments.OwnerRole, roles);
        Assert.DoesNotContain(RoleAssignments.ContributorRole, roles);
        Assert.DoesNotContain(RoleAssignments.ServiceBusDataOwner, roles);
    }

    [Fact]
    public void Besides_the_app_identity_only_the_smtp_application_and_the_deployer_get_a_role_each_on_one_resource()
    {
        var others = Assignments.Except(OfApp).ToList();

        Assert.Equal(2, others.Count);
        var smtp = Assert.Single(others, a => a.Principal == "[parameters('smtpServicePrincipalId')]");
        Assert.Equal("Microsoft.Communication/communicationServices", smtp.ScopeType);
        Assert.Equal([RoleAssignments.CommunicationAndEmailServiceOwner], smtp.RoleIds);
        // The deployer (azd's AZURE_PRINCIPAL_ID) may set the vault's secrets, which the postprovision hook asks it for.
        var deployer = Assert.Single(others, a => a.Principal == "[parameters('deployerPrincipalId')]");
        Assert.Equal("Microsoft.KeyVault/vaults", deployer.ScopeType);
        Assert.Equal(["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"], deployer.RoleIds); // Key Vault Secrets Officer
        Assert.Equal("[parameters('principalId')]", CompiledInfra.Module("email").GetProperty("properties").GetProperty("parameters").GetProperty("deployerPrincipalId").GetProperty("value").GetString());
    }

    [Fact]
    public void Cosmos_data_access_is_the_built_in_data_contributor_on_the_account_for_the_app_identity()
    {
        var assignment = CompiledInfra.Resource("cosmos", "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments").GetProperty("properties");

        Assert.Equal("[format('{0}/sqlRoleDefinitions/{1}', resourceId('Microsoft.DocumentDB/databaseAccounts', parameters('name')), variables('builtInDataContributor'))]", assignment.GetProperty("roleDefinitionId").GetString());
        Assert.Equal("00000000-0000-0000-0000-000000000002", CompiledInfra.ModuleTemplate("cosmos").GetProperty("variables").GetProperty("builtInDataContributor").GetString());
        Assert.Equal("[resourceId('Microsoft.DocumentDB/databaseAccounts', parameters('name'))]", assignment.GetProperty("scope").GetString());
        Assert.Contains(RoleAssignments.AppIdentityPrincipal, assignment.GetProperty("principalId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_module_that_grants_roles_looks_up_the_identity_the_function_app_runs_as()
    {
        var modules = OfApp.Select(a => a.Module).Append("cosmos").Distinct().ToList();

        Assert.Equal("[variables('identityName')]", RawParameter("identity", "name"));
        Assert.All(modules, module => Assert.Equal("[variables('identityName')]", RawParameter(module, "appIdentityName")));
        Assert.Equal("[reference('identity').outputs.id.value]", RawParameter("functionApp", "identityId"));
    }

    private static string RawParameter(string module, string parameter) =>
        CompiledInfra.Module(module).GetProperty("properties").GetProperty("parameters").GetProperty(parameter).GetProperty("value").GetString()!;
}
