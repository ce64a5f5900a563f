using ServerlessBackend.Functions.Domain.Payments;

namespace ServerlessBackend.UnitTests.Domain.Payments;

public sealed class ProviderCodesTests
{
    [Theory]
    [InlineData("insufficient_funds", "insufficient_funds")]
    [InlineData("expired_card", "expired_card")]
    [InlineData("card_declined2", "card_declined2")]
    [InlineData(null, "declined")]
    [InlineData("", "declined")]
    [InlineData("Your card was declined.", "declined")]
    [InlineData("Insufficient_Funds", "declined")]
    [InlineData("jane@example.com", "declined")]
    public void A_providers_code_is_recorded_only_when_it_is_a_short_lower_case_code(string? code, string recorded) =>
        Assert.Equal(recorded, ProviderCodes.Recordable(code));

    [Fact]
    public void A_code_longer_than_64_characters_is_not_recorded() =>
        Assert.Equal(("declined", new string('a', 64)), (ProviderCodes.Recordable(new string('a', 65)), ProviderCodes.Recordable(new string('a', 64))));
}
