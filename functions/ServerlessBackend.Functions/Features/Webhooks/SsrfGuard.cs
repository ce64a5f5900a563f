using System.Net;
using System.Net.Sockets;

namespace ServerlessBackend.Functions.Features.Webhooks;

/// <summary>
/// Which webhook URLs and addresses the app may send to: https on public unicast addresses only. Refused: loopback,
/// link-local (169.254.0.0/16 with the cloud metadata address 169.254.169.254, fe80::/10), private (10/8, 172.16/12,
/// 192.168/16, fc00::/7), shared CGNAT space (100.64/10), unspecified, "this network" (0/8), broadcast, multicast,
/// reserved and documentation ranges, and the IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:0:0/96,
/// IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16), judged by the address they carry. With
/// <paramref name="allowLoopback"/> (Development only, for tests) loopback addresses and plain http to them are allowed.
/// </summary>
public sealed class SsrfGuard(bool allowLoopback)
{
    private static readonly (IPAddress Network, int Prefix, string Kind)[] RefusedV4 =
    [
        (IPAddress.Parse("0.0.0.0"), 8, "an unspecified address"),
        (IPAddress.Parse("10.0.0.0"), 8, "a private address"),
        (IPAddress.Parse("100.64.0.0"), 10, "a shared (CGNAT) address"),
        (IPAddress.Parse("127.0.0.0"), 8, "a loopback address"),
        (IPAddress.Parse("169.254.0.0"), 16, "a link-local address"),
        (IPAddress.Parse("172.16.0.0"), 12, "a private address"),
        (IPAddress.Parse("192.0.0.0"), 24, "a reserved address"),
        (IPAddress.Parse("192.0.2.0"), 24, "a documentation address"),
        (IPAddress.Parse("192.88.99.0"), 24, "a reserved address"),
        (IPAddress.Parse("192.168.0.0"), 16, "a private address"),
        (IPAddress.Parse("198.18.0.0"), 15, "a reserved address"),
        (IPAddress.Parse("198.51.100.0"), 24, "a documentation address"),
        (IPAddress.Parse("203.0.113.0"), 24, "a documentation address"),
        (IPAddress.Parse("224.0.0.0"), 4, "a multicast address"),
        (IPAddress.Parse("240.0.0.0"), 4, "a reserved address"),
    ];

    private static readonly (IPAddress Network, int Prefix, string Kind)[] RefusedV6 =
    [
        (IPAddress.Parse("::1"), 128, "a loopback address"),
        (IPAddress.Parse("::"), 128, "an unspecified address"),
        (IPAddress.Parse("100::"), 64, "a discard address"),
        (IPAddress.Parse("2001:db8::"), 32, "a documentation address"),
        (IPAddress.Parse("fc00::"), 7, "a private address"),
        (IPAddress.Parse("fe80::"), 10, "a link-local address"),
        (IPAddress.Parse("fec0::"), 10, "a site-local address"),
        (IPAddress.Parse("ff00::"), 8, "a multicast address"),
    ];

    /// <summary>Why the app must not connect to <paramref name="address"/>, or null when it may.</summary>
    public string? RefusalOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Embedded(address) is { } v4)
        {
            return RefusalOf(v4);
        }

        var table = address.AddressFamily == AddressFamily.InterNetwork ? RefusedV4 : RefusedV6;
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            return "a scoped address";
        }

        foreach (var (network, prefix, kind) in table)
        {
            if (InRange(address, network, prefix))
            {
                return allowLoopback && IPAddress.IsLoopback(address) ? null : kind;
            }
        }

        return address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 ? null : "not an IP address";
    }

    /// <summary>Why the URL is not a webhook target the app sends to (before any name is resolved), or null.</summary>
    public string? RefusalOf(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            return "an absolute https URL is required";
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            return "credentials in the URL are not allowed";
        }

        if (!string.IsNullOrEmpty(url.Fragment))
        {
            return "a fragment is not allowed";
        }

        var literal = IPAddress.TryParse(url.IdnHost, out var ip) ? ip : null;
        var loopbackTarget = allowLoopback && (url.IsLoopback || (literal is not null && IPAddress.IsLoopback(literal)));
        if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && loopbackTarget))
        {
            return "only https URLs are allowed";
        }

        return literal is null ? null : RefusalOf(literal);
    }

    /// <summary>The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or null.</summary>
    private static IPAddress? Embedded(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (InRange(address, IPAddress.Parse("64:ff9b::"), 96) || (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !IPAddress.IPv6Any.Equals(address) && !IPAddress.IPv6Loopback.Equals(address)))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        return InRange(address, IPAddress.Parse("2002::"), 16) ? new IPAddress(bytes.AsSpan(2, 4)) : null;
    }

    private static bool InRange(IPAddress address, IPAddress network, int prefix)
    {
        if (address.AddressFamily != network.AddressFamily)
        {
            return false;
        }

        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var whole = prefix / 8;
        if (!a.AsSpan(0, whole).SequenceEqual(n.AsSpan(0, whole)))
        {
            return false;
        }

        var rest = prefix % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (a[whole] & mask) == (n[whole] & mask);
    }
}
