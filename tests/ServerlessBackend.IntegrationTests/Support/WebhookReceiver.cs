using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ServerlessBackend.Tests.Support;

/// <summary>A tenant's webhook endpoint on 127.0.0.1 (plain http): records each request's headers and body, answers <see cref="Status"/>.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private WebApplication? _app;

    public Uri Url { get; private set; } = null!;

    public int Status { get; set; } = StatusCodes.Status204NoContent;

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        (receiver._app, var baseUrl) = await LoopbackServer.StartAsync(receiver.ServeAsync);
        receiver.Url = new Uri(baseUrl, "/hooks/orders");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)) { ["X-Path"] = context.Request.Path.Value };
        _received.Enqueue(new ReceivedWebhook(headers, body));
        context.Response.StatusCode = Status;
        if (Status is >= 300 and < 400)
        {
            // Somewhere the app must not go: a redirect is never followed.
            context.Response.Headers.Location = new Uri(Url, "/elsewhere").ToString();
        }

        // A body the app must never store: it only reads the status.
        await context.Response.WriteAsync("receiver's private answer");
    }
}

public sealed record ReceivedWebhook(IHeaderDictionary Headers, string Body);
