using System.Collections.Concurrent;
using System.Net;
using ServerlessBackend.Functions.Features.Webhooks;

namespace ServerlessBackend.Tests.Support;

/// <summary>DNS answers a test sets (and may change between registration and delivery); other names resolve through DNS.</summary>
public sealed class TestHostResolver : IHostResolver
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _answers = new(StringComparer.OrdinalIgnoreCase);
    private int _lookups;

    public int Lookups => _lookups;

    public void Answer(string host, params string[] addresses) => _answers[host] = [.. addresses.Select(IPAddress.Parse)];

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        return _answers.TryGetValue(host, out var answer) ? Task.FromResult(answer) : Dns.GetHostAddressesAsync(host, cancellationToken);
    }
}
