using System.Net;
using System.Net.Sockets;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>Resolves a host name to addresses (DNS in the app; tests inject answers).</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

public sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>A webhook target the <see cref="SsrfGuard"/> refuses, or whose name does not resolve; the message never holds the URL's path or query.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);

/// <summary>
/// The SSRF guard applied to names: a host is resolved and every address it resolves to must be allowed (one refused
/// address refuses the name: an answer that mixes a public and a private address is how DNS rebinding attacks look).
/// Used at registration and, at delivery, from the connection callback, so the address checked is the one connected to.
/// </summary>
public sealed class WebhookTargets(SsrfGuard guard, IHostResolver resolver)
{
    public SsrfGuard Guard => guard;

    /// <summary>The addresses the host resolves to, all allowed; throws <see cref="WebhookTargetRefusedException"/> otherwise.</summary>
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                throw new WebhookTargetRefusedException("the host name does not resolve");
            }
        }

        if (addresses.Length == 0)
        {
            throw new WebhookTargetRefusedException("the host name does not resolve");
        }

        foreach (var address in addresses)
        {
            if (guard.RefusalOf(address) is { } refusal)
            {
                throw new WebhookTargetRefusedException($"the host resolves to {refusal}");
            }
        }

        return addresses;
    }

    /// <summary>Why <paramref name="url"/> may not be registered (its form, or what its name resolves to now), or null.</summary>
    public async Task<string?> RefusalOfAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (guard.RefusalOf(url) is { } refusal)
        {
            return refusal;
        }

        try
        {
            await ResolveAsync(url.IdnHost, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (WebhookTargetRefusedException e)
        {
            return e.Message;
        }
    }
}
