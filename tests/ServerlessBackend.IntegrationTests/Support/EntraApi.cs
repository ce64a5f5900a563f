
using ServerlessBackend.Functions.Platform.Auth;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// The API as deployed for Entra ID, against <see cref="LocalEntraIssuer"/>: the app's real metadata retrieval over HTTP
/// (<see cref="OpenIdSigningConfiguration"/>), both audiences, the operator's directory, and the tenant allow-list without
/// onboarding at the first request. <see cref="Options"/> can be changed before the first request (e.g. another tenancy).
/// </summary>
public sealed class EntraApi : IAsyncLifetime
{
    private readonly CosmosServerFixture _cosmos;
    private ApiTestHost? _api;

    public EntraApi(CosmosServerFixture cosmos) => _cosmos = cosmos;

    public LocalEntraIssuer Issuer { get; private set; } = null!;

    public string OperatorDirectory { get; } = LocalEntraIssuer.NewDirectory();

    public AuthOptions Options { get; private set; } = null!;

    public ApiTestHost Api => _api ??= new ApiTestHost(_cosmos, signing: new OpenIdSigningConfiguration(Options.Authority), auth: Options, onboardAtFirstRequest: false);

    public async Task InitializeAsync()
    {
        Issuer = await LocalEntraIssuer.StartAsync();
        Options = new AuthOptions
        {
            Authority = Issuer.Authority(),
            Audiences = $"{LocalEntraIssuer.AppIdUri}, {LocalEntraIssuer.ApiClientId}",
            OperatorDirectoryId = OperatorDirectory,
        };
    }

    /// <summary>A token of the platform operator: the operator role, from the operator's directory.</summary>
    public string Operator() => Issuer.UserToken(OperatorDirectory, "operator-oid", roles: [AuthOptions.OperatorRole]);

    public async Task DisposeAsync() => await Issuer.DisposeAsync();
}
