using System.Text.Json.Serialization;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Messaging;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>POST body registering an endpoint: where (https on a public address), which event types, and a note for the admins.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? EventTypes, string? Description)
{
    public const int MaxUrlLength = 2000;
    public const int MaxDescriptionLength = 200;

    /// <summary>The form of the body; whether the URL's address may be sent to is <see cref="WebhookTargets"/>'s call.</summary>
    public FieldErrors Validate(out Uri? url)
    {
        var errors = new FieldErrors();
        url = null;
        errors.RequireText("url", Url, MaxUrlLength);
        if (!string.IsNullOrWhiteSpace(Url) && !Uri.TryCreate(Url, UriKind.Absolute, out url))
        {
            errors.Add("url", "Must be an absolute https URL.");
        }

        if (EventTypes is not { Count: > 0 })
        {
            errors.Add("eventTypes", "Name at least one event type.");
        }
        else
        {
            for (var i = 0; i < EventTypes.Count; i++)
            {
                if (!MessagingTopology.WebhookEventTypes.Contains(EventTypes[i]))
                {
                    errors.Add($"eventTypes[{i}]", $"Not an event type; one of {string.Join(", ", MessagingTopology.WebhookEventTypes)}.");
                }
            }
        }

        errors.OptionalText("description", Description, MaxDescriptionLength);
        return errors;
    }
}
