using Moq;
using ServerlessBackend.Functions.Features.Tenants;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Tenancy;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Features.Tenants;

/// <summary>Races the Cosmos-protocol server cannot stage on demand, with a mocked store.</summary>
public sealed class TenantsHandlerTests
{
    private readonly Mock<ITenantStore> _store = new();
    private readonly Mock<ITenantDirectory> _directory = new();
    private readonly Caller _operator = new("ops", "operator-1", null, IsAdmin: false, IsOperator: true);

    private TenantsHandler Handler => new(_store.Object, _directory.Object, TimeProvider.System, AuditTrails.Default());

    private static TenantRecord Record(string name) => new()
    {
        TenantId = "contoso",
        DisplayName = name,
        Status = TenantStatus.Active,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        History = [],
    };

    [Fact]
    public async Task A_rename_that_loses_four_races_lands_on_the_fifth_attempt()
    {
        _store.Setup(s => s.GetAsync("contoso", It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<TenantRecord>(Record("Contoso"), "\"v1\""));
        _store.SetupSequence(s => s.ReplaceAsync(It.IsAny<TenantRecord>(), "\"v1\"", It.IsAny<AuditEntry>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new DocumentPreconditionFailedException("contoso"))
            .ThrowsAsync(new DocumentPreconditionFailedException("contoso"))
            .ThrowsAsync(new DocumentPreconditionFailedException("contoso"))
            .ThrowsAsync(new DocumentPreconditionFailedException("contoso"))
            .ReturnsAsync("\"v2\"");

        var outcome = await Handler.PutAsync(_operator, "contoso", new PutTenantRequest("Contoso Ltd", null), CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.Equal("Contoso Ltd", outcome.Value!.Tenant.Value.DisplayName);
        _directory.Verify(d => d.Forget("contoso"), Times.Once);
    }

    [Fact]
    public async Task Endless_races_give_up_with_a_409_the_client_can_resend_never_an_exception()
    {
        _store.Setup(s => s.GetAsync("contoso", It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<TenantRecord>(Record("Contoso"), "\"v1\""));
        _store.Setup(s => s.ReplaceAsync(It.IsAny<TenantRecord>(), It.IsAny<string>(), It.IsAny<AuditEntry>(), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentPreconditionFailedException("contoso"));

        var outcome = await Handler.PutAsync(_operator, "contoso", new PutTenantRequest("Contoso Ltd", null), CancellationToken.None);

        Assert.Equal(ProblemKind.Conflict, outcome.Error!.Kind);
        _store.Verify(s => s.ReplaceAsync(It.IsAny<TenantRecord>(), It.IsAny<string>(), It.IsAny<AuditEntry>(), It.IsAny<CancellationToken>()), Times.Exactly(5));
        _directory.Verify(d => d.Forget(It.IsAny<string>()), Times.Never);
    }
}
