using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>One signed webhook request: the Standard Webhooks headers and the JSON body.</summary>
public sealed record WebhookRequest(Uri Url, string Id, DateTimeOffset Timestamp, string Signature, string Body);

/// <summary>What an attempt met: a 2xx (<see cref="Delivered"/>), another status, or a failure before any status.</summary>
public sealed record WebhookResult(bool Delivered, string? Failure)
{
    public static WebhookResult Success { get; } = new(true, null);

    public static WebhookResult Failed(string failure) => new(false, failure);
}

public interface IWebhookSender
{
    Task<WebhookResult> SendAsync(WebhookRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Posts webhooks over a handler that resolves and checks the target itself (<see cref="WebhookTargets"/>) in its
/// connection callback and connects to the checked address, so a DNS answer that changes between the check and the
/// connection cannot redirect it. No redirect is followed, no proxy used, no cookie kept; short timeouts; the response
/// body is never read or stored, only the status.
/// </summary>
public sealed class HttpWebhookSender : IWebhookSender, IDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _client;

    public HttpWebhookSender(WebhookTargets targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = ConnectTimeout,
            // New connections (and so new checks) at least every minute, whatever the pool would keep.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(targets, context.DnsEndPoint, cancellationToken),
        };
        _client = new HttpClient(handler) { Timeout = RequestTimeout };
    }

    public async Task<WebhookResult> SendAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Url)
        {
            Content = new StringContent(request.Body, Encoding.UTF8, "application/json"),
        };
        message.Headers.Add(WebhookHeaders.Id, request.Id);
        message.Headers.Add(WebhookHeaders.Timestamp, request.Timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Headers.Add(WebhookHeaders.Signature, request.Signature);
        try
        {
            using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 300 ? WebhookResult.Success : WebhookResult.Failed($"http {status}");
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookTargetRefusedException refused)
        {
            return WebhookResult.Failed($"refused address: {refused.Message}");
        }
        catch (HttpRequestException)
        {
            return WebhookResult.Failed("connection failed");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return WebhookResult.Failed("timeout");
        }
    }

    public void Dispose() => _client.Dispose();

    private static async ValueTask<Stream> ConnectAsync(WebhookTargets targets, DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var addresses = await targets.ResolveAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var target = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(target, endpoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}

/// <summary>The Standard Webhooks header names.</summary>
public static class WebhookHeaders
{
    public const string Id = "webhook-id";
    public const string Timestamp = "webhook-timestamp";
    public const string Signature = "webhook-signature";
}
