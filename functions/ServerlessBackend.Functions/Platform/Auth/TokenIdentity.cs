namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// What a validated token says, before the caller is admitted (<see cref="CallerAdmission"/>). Each identifier is null
/// when its claim is missing or unusable (<see cref="TokenClaims.Identifier"/>). <see cref="DirectoryId"/> is the Entra
/// directory that issued the token (<c>tid</c>) whatever the tenancy model; <see cref="TenantId"/> the shop, from the
/// configured tenant claim. <see cref="IsApplication"/>: an app-only token (client credentials), that is <c>idtyp</c> is
/// <c>app</c> or there is no <c>scp</c>, which Entra puts in every user token and in no app token.
/// </summary>
public sealed record TokenIdentity(
    string? DirectoryId, string? TenantId, string? Subject, string? Email, bool IsAdmin, bool IsOperator, bool IsApplication);
