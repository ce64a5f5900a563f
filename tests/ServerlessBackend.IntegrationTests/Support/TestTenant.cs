namespace ServerlessBackend.Tests.Support;

/// <summary>A fresh tenant with an admin and two customers, each with a valid token.</summary>
public sealed class TestTenant
{
    public string Id { get; } = TestData.NewTenant();

    public string Admin => TestTokens.Mint(Id, "admin-1", admin: true, email: "admin@example.test");

    public string Alice => TestTokens.Mint(Id, "alice", email: "alice@example.test");

    public string Bob => TestTokens.Mint(Id, "bob", email: "bob@example.test");
}
