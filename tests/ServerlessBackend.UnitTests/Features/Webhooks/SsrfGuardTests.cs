using System.Net;
using ServerlessBackend.Functions.Features.Webhooks;

namespace ServerlessBackend.UnitTests.Features.Webhooks;

/// <summary>The SSRF guard as a table: every refused address family, the IPv6 forms that carry a refused IPv4 address, and public addresses let through.</summary>
public sealed class SsrfGuardTests
{
    private static readonly SsrfGuard Strict = new(allowLoopback: false);

    public static TheoryData<string, string> Refused() => new()
    {
        { "127.0.0.1", "loopback" },
        { "127.255.255.254", "loopback" },
        { "::1", "loopback" },
        { "169.254.169.254", "link-local" },
        { "169.254.0.1", "link-local" },
        { "fe80::1", "link-local" },
        { "febf:ffff::1", "link-local" },
        { "10.0.0.1", "private" },
        { "10.255.255.255", "private" },
        { "172.16.0.1", "private" },
        { "172.31.255.255", "private" },
        { "192.168.1.1", "private" },
        { "fc00::1", "private" },
        { "fd12:3456::1", "private" },
        { "100.64.0.1", "CGNAT" },
        { "100.127.255.255", "CGNAT" },
        { "0.0.0.0", "unspecified" },
        { "0.1.2.3", "unspecified" },
        { "::", "unspecified" },
        { "224.0.0.1", "multicast" },
        { "239.255.255.250", "multicast" },
        { "ff02::1", "multicast" },
        { "255.255.255.255", "reserved" },
        { "240.0.0.1", "reserved" },
        { "192.0.2.10", "documentation" },
        { "2001:db8::1", "documentation" },
        { "::ffff:127.0.0.1", "loopback" },
        { "::ffff:169.254.169.254", "link-local" },
        { "::ffff:10.1.2.3", "private" },
        { "::ffff:192.168.0.1", "private" },
        { "::ffff:100.64.1.1", "CGNAT" },
        { "::ffff:0.0.0.0", "unspecified" },
        { "::127.0.0.1", "loopback" },
        { "::10.0.0.1", "private" },
        { "64:ff9b::a9fe:a9fe", "link-local" },
        { "2002:0a00:0001::1", "private" },
        { "fec0::1", "site-local" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Refuses_addresses_that_are_not_public(string address, string kind)
    {
        var refusal = Strict.RefusalOf(IPAddress.Parse(address));

        Assert.NotNull(refusal);
        Assert.Contains(kind, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("169.255.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:93.184.216.34")]
    public void Lets_public_addresses_through(string address) =>
        Assert.Null(Strict.RefusalOf(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Loopback_only_when_allowed(string address) =>
        Assert.Null(new SsrfGuard(allowLoopback: true).RefusalOf(IPAddress.Parse(address)));

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("fe80::1")]
    public void Allowing_loopback_allows_nothing_else(string address) =>
        Assert.NotNull(new SsrfGuard(allowLoopback: true).RefusalOf(IPAddress.Parse(address)));

    public static TheoryData<string, bool, string?> Urls() => new()
    {
        { "https://hooks.example.com/orders", false, null },
        { "https://93.184.216.34:8443/hook", false, null },
        { "http://hooks.example.com/orders", false, "only https" },
        { "ftp://hooks.example.com/orders", false, "only https" },
        { "https://user:pass@hooks.example.com/", false, "credentials" },
        { "https://hooks.example.com/#part", false, "fragment" },
        { "https://169.254.169.254/latest/meta-data", false, "link-local" },
        { "https://[::ffff:10.0.0.1]/", false, "private" },
        { "https://[fe80::1]/", false, "link-local" },
        { "https://127.0.0.1/", false, "loopback" },
        { "http://127.0.0.1:8080/", false, "only https" },
        { "http://127.0.0.1:8080/", true, null },
        { "http://localhost:8080/", true, null },
        { "http://hooks.example.com/", true, "only https" },
    };

    [Theory]
    [MemberData(nameof(Urls))]
    public void Urls_are_https_with_no_credentials_and_a_public_literal(string url, bool allowLoopback, string? refusal)
    {
        var actual = new SsrfGuard(allowLoopback).RefusalOf(new Uri(url));

        if (refusal is null)
        {
            Assert.Null(actual);
        }
        else
        {
            Assert.NotNull(actual);
            Assert.Contains(refusal, actual, StringComparison.Ordinal);
        }
    }
}
