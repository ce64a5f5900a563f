using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Domain.Webhooks;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>
/// An endpoint as the API shows it. <see cref="Secret"/> only in the answers that created it (registration, rotation):
/// it is never shown again. <see cref="PreviousSecretExpiresAt"/>: during a rollover, when the previous secret stops signing.
/// </summary>
public sealed record WebhookResponse(
    string Id,
    string Url,
    IReadOnlyList<string> EventTypes,
    string? Description,
    bool Enabled,
    int ConsecutiveFailures,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    string? LastFailure,
    DateTimeOffset? DisabledAt,
    DateTimeOffset? PreviousSecretExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Secret = null)
{
    public static string Location(string webhookId) => $"/api/v1/admin/webhooks/{Uri.EscapeDataString(webhookId)}";

    public static WebhookResponse From(WebhookEndpoint endpoint, DateTimeOffset now, string? secret = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new(
            endpoint.Id, endpoint.Url, endpoint.EventTypes, endpoint.Description, endpoint.Enabled, endpoint.ConsecutiveFailures,
            endpoint.LastSuccessAt, endpoint.LastFailureAt, endpoint.LastFailure, endpoint.DisabledAt,
            endpoint.SigningSecrets(now).Skip(1).Select(s => s.ExpiresAt).FirstOrDefault(),
            endpoint.CreatedAt, endpoint.UpdatedAt, secret);
    }

    /// <summary>200 with the endpoint and its ETag, or 201 with Location and the new secret.</summary>
    public static IResult Result(HttpResponse response, WebhookView view, bool created = false)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(view);
        Preconditions.SetETag(response, view.Endpoint.ETag);
        if (created)
        {
            response.Headers.Location = Location(view.Endpoint.Value.Id);
        }

        return Results.Json(From(view.Endpoint.Value, view.At, view.NewSecret), ApiJson.Options, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }
}

/// <summary>An endpoint as read or written at <see cref="At"/>, with the secret the write created, if any.</summary>
public sealed record WebhookView(Versioned<WebhookEndpoint> Endpoint, DateTimeOffset At, string? NewSecret = null);
