namespace ServerlessBackend.Functions.Features.Email;

/// <summary>
/// One email to send. <see cref="MessageId"/> is derived from the event id, so a copy that escapes
/// the notification log still carries the same Message-ID header.
/// </summary>
public sealed record EmailMessage(string To, string Subject, string TextBody, string HtmlBody, string MessageId);
