using ServerlessBackend.Functions.Features.Orders;

namespace ServerlessBackend.UnitTests.Features.Orders;

/// <summary>
/// The contact email rule: only addresses that common mail relays take without extensions. An
/// address that passes .NET's MailAddress but that a relay refuses ("quoted local"@example.test) would be a 201 at
/// POST and then fail on every delivery, so it is refused at the door.
/// </summary>
public sealed class ContactEmailTests
{
    public static TheoryData<string> Refused() =>
    [
        "\"quoted local\"@example.test",
        "\"alice\"@example.test",
        "user@[192.0.2.1]",
        "user@[IPv6:2001:db8::1]",
        "user(comment)@example.test",
        "user@example.test (comment)",
        "(comment)user@example.test",
        "Alice <alice@example.test>",
        "<alice@example.test>",
        "alice@localhost",
        "alice@192.0.2.1",
        "alice@example.123",
        "jörg@example.test",
        "alice@bücher.example",
        "alice@xn--.example",
        ".alice@example.test",
        "alice.@example.test",
        "al..ice@example.test",
        "alice@-example.test",
        "alice@example-.test",
        "alice@example..test",
        "alice@.example.test",
        "alice@example.test.",
        "alice@example_1.test",
        "a@b@example.test",
        "alice",
        "@example.test",
        "alice@",
        "alice @example.test",
        "alice@example.test\n",
        "alice\u0000@example.test",
        "alice\\@example.test",
        new string('a', 65) + "@example.test",
        "alice@" + new string('a', 64) + ".test",
        "alice@" + string.Join('.', Enumerable.Repeat(new string('a', 62), 4)) + ".test",
    ];

    public static TheoryData<string> Accepted() =>
    [
        "alice@example.test",
        "Alice.Smith@Example.Test",
        "o'brien+orders@mail.example.co.uk",
        "a!#$%&'*+-/=?^_`{|}~@example.test",
        "x@xn--bcher-kva.example",
        "1@sub-domain.example.io",
        new string('a', 64) + "@example.test",
        "alice@" + new string('a', 63) + ".test",
    ];

    [Theory]
    [MemberData(nameof(Refused))]
    public void An_address_relays_refuse_or_that_needs_an_extension_is_refused(string address) =>
        Assert.False(ContactEmail.IsAcceptable(address));

    [Theory]
    [MemberData(nameof(Accepted))]
    public void A_plain_address_is_accepted(string address) =>
        Assert.True(ContactEmail.IsAcceptable(address));

    [Fact]
    public void At_most_254_characters_in_all()
    {
        // 64 + 1 + 189 = 254: the longest address a relay's 256-octet path (with its angle brackets) holds.
        var atLimit = new string('l', 64) + "@" + string.Join('.', new string('d', 60), new string('d', 60), new string('d', 62)) + ".test";

        Assert.Equal(254, atLimit.Length);
        Assert.True(ContactEmail.IsAcceptable(atLimit));
        Assert.False(ContactEmail.IsAcceptable(atLimit.Replace("@", "@d", StringComparison.Ordinal)));
    }
}
