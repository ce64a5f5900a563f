using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// A real SMTP server (MailDev) on free 127.0.0.1 ports; its REST API shows what arrived.
/// </summary>
public sealed class SmtpServerFixture : IDisposable
{
    private readonly LocalServer _server;
    private readonly HttpClient _api;

    public SmtpServerFixture()
    {
        SmtpPort = LocalServer.FreePort();
        WebPort = LocalServer.FreePort();
        _server = LocalServer.Start(
            "maildev",
            [
                "--smtp", SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--web", WebPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--silent",
            ],
            [SmtpPort, WebPort]);
        _api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}/") };
    }

    public string Host { get; } = "127.0.0.1";

    public int SmtpPort { get; }

    public int WebPort { get; }

    /// <summary>Every message the server has received, oldest first.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> GetMessagesAsync(CancellationToken cancellationToken = default) =>
        await _api.GetFromJsonAsync<List<ReceivedMail>>("email", cancellationToken) ?? [];

    /// <summary>Waits until at least <paramref name="count"/> messages arrived (MailDev stores them asynchronously).</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForMessagesAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var messages = await GetMessagesAsync();
            if (messages.Count >= count || DateTime.UtcNow > deadline)
            {
                return messages;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The messages to <paramref name="address"/>, once at least <paramref name="count"/> arrived (or about 5 s passed).</summary>
    public async Task<List<ReceivedMail>> MessagesToAsync(string address, int count)
    {
        var mails = (await WaitForMessagesAsync(1)).Where(m => m.To.Any(t => t.Address == address)).ToList();
        for (var waited = 0; mails.Count < count && waited < 100; waited++)
        {
            await Task.Delay(50);
            mails = (await GetMessagesAsync()).Where(m => m.To.Any(t => t.Address == address)).ToList();
        }

        return mails;
    }

    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _api.DeleteAsync("email/all", cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        _api.Dispose();
        _server.Dispose();
    }
}

public sealed record ReceivedMail(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("html")] string? Html,
    [property: JsonPropertyName("to")] IReadOnlyList<MailAddress> To,
    [property: JsonPropertyName("from")] IReadOnlyList<MailAddress> From,
    [property: JsonPropertyName("headers")] IDictionary<string, System.Text.Json.JsonElement>? Headers);

public sealed record MailAddress(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("name")] string? Name);

[CollectionDefinition(Name)]
public sealed class SmtpCollection : ICollectionFixture<SmtpServerFixture>
{
    public const string Name = "Smtp";
}
