using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ServerlessBackend.Functions.Domain.Webhooks;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>
/// Admins (declared on the functions) register, read, delete, re-enable and rotate the secrets of their tenant's
/// webhook endpoints. A URL is checked by the SSRF guard when registered (and again at every delivery). The signing
/// secret is generated here and shown once, in the answer that created it.
/// </summary>
public sealed partial class WebhooksHandler(IWebhookStore store, WebhookTargets targets, TimeProvider clock)
{
    /// <summary>Endpoints per tenant: each order event costs one attempt message per endpoint that wants it.</summary>
    public const int MaxEndpointsPerTenant = 10;

    private const int MaxAttempts = 5;

    public async Task<Outcome<WebhookView>> CreateAsync(Caller caller, CreateWebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var errors = request.Validate(out var url);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        if (await targets.RefusalOfAsync(url!, cancellationToken) is { } refusal)
        {
            return ApiError.Field("url", $"Not a URL webhooks are sent to: {refusal}.");
        }

        var now = clock.GetUtcNow();
        var secret = NewSecret();
        var endpoint = new WebhookEndpoint
        {
            Id = "wh_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            TenantId = caller.TenantId,
            Url = url!.AbsoluteUri,
            EventTypes = [.. request.EventTypes!.Distinct(StringComparer.Ordinal)],
            Description = request.Description,
            Secrets = [new WebhookSecret(secret, now, ExpiresAt: null)],
            CreatedAt = now,
            UpdatedAt = now,
        };
        try
        {
            // The count and the endpoint in one batch on the count's version: concurrent registrations never pass the limit.
            return await ETagRaces.DecideAsync<EndpointCount, Outcome<WebhookView>>(
                await store.CountAsync(caller.TenantId, cancellationToken),
                async count => count.Endpoints >= MaxEndpointsPerTenant
                    ? new ApiError(ProblemKind.Conflict, $"A tenant has at most {MaxEndpointsPerTenant} webhook endpoints; delete one first.")
                    : Outcome.Ok(new WebhookView(new Versioned<WebhookEndpoint>(endpoint, await store.CreateAsync(endpoint, count, cancellationToken)), now, secret)),
                _ => store.CountAsync(caller.TenantId, cancellationToken),
                MaxAttempts);
        }
        catch (DocumentPreconditionFailedException)
        {
            return ApiError.Contended("The tenant's webhook endpoints");
        }
    }

    public async Task<Outcome<IReadOnlyList<WebhookResponse>>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var now = clock.GetUtcNow();
        var endpoints = await store.ListAsync(caller.TenantId, cancellationToken);
        return Outcome.Ok<IReadOnlyList<WebhookResponse>>([.. endpoints.Select(e => WebhookResponse.From(e, now))]);
    }

    public async Task<Outcome<WebhookView>> GetAsync(Caller caller, string webhookId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return IsWellFormedId(webhookId) && await store.GetAsync(caller.TenantId, webhookId, cancellationToken) is { } found
            ? Outcome.Ok(new WebhookView(found, clock.GetUtcNow()))
            : NotFound;
    }

    public async Task<Outcome<bool>> DeleteAsync(Caller caller, string webhookId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return IsWellFormedId(webhookId) && await store.DeleteAsync(caller.TenantId, webhookId, cancellationToken) ? Outcome.Ok(true) : NotFound;
    }

    /// <summary>A new secret, shown in the answer; the previous one keeps signing for <see cref="WebhookRetryPolicy.SecretRollover"/>.</summary>
    public Task<Outcome<WebhookView>> RotateSecretAsync(Caller caller, string webhookId, CancellationToken cancellationToken)
    {
        var secret = NewSecret();
        return ChangeAsync(caller, webhookId, (endpoint, now) => endpoint.Rotated(secret, now), secret, cancellationToken);
    }

    /// <summary>Enables an endpoint again (after automatic disabling): its failure count starts over.</summary>
    public Task<Outcome<WebhookView>> EnableAsync(Caller caller, string webhookId, CancellationToken cancellationToken) =>
        ChangeAsync(caller, webhookId, (endpoint, now) => endpoint.Reenabled(now), newSecret: null, cancellationToken);

    private async Task<Outcome<WebhookView>> ChangeAsync(
        Caller caller, string webhookId, Func<WebhookEndpoint, DateTimeOffset, WebhookEndpoint> change, string? newSecret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!IsWellFormedId(webhookId))
        {
            return NotFound;
        }

        try
        {
            return await ETagRaces.DecideAsync<Versioned<WebhookEndpoint>?, Outcome<WebhookView>>(
                await store.GetAsync(caller.TenantId, webhookId, cancellationToken),
                async current =>
                {
                    if (current is null)
                    {
                        return NotFound;
                    }

                    var now = clock.GetUtcNow();
                    var changed = change(current.Value, now);
                    try
                    {
                        var etag = await store.ReplaceAsync(changed, current.ETag, cancellationToken);
                        return Outcome.Ok(new WebhookView(new Versioned<WebhookEndpoint>(changed, etag), now, newSecret));
                    }
                    catch (DocumentNotFoundException)
                    {
                        return NotFound;
                    }
                },
                // A delivery recorded its outcome meanwhile: apply the change on top of it.
                _ => store.GetAsync(caller.TenantId, webhookId, cancellationToken),
                MaxAttempts);
        }
        catch (DocumentPreconditionFailedException)
        {
            return ApiError.Contended("The webhook endpoint");
        }
    }

    private static ApiError NotFound => ApiError.NotFound("The webhook endpoint");

    private static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static bool IsWellFormedId(string? id) => id is not null && IdPattern().IsMatch(id);

    [GeneratedRegex(@"^wh_[0-9a-f]{32}\z")]
    private static partial Regex IdPattern();
}
