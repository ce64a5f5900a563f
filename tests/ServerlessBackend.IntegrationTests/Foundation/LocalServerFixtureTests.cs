using Azure.Storage.Blobs;
using MailKit.Net.Smtp;
using MimeKit;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Foundation;

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteFixtureTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Azurite_stores_and_returns_a_blob_over_its_connection_string()
    {
        var container = new BlobContainerClient(azurite.ConnectionString, "fixture-check");
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("hello.txt");

        await blob.UploadAsync(BinaryData.FromString("hello from the tests"), overwrite: true);
        var downloaded = await blob.DownloadContentAsync();

        Assert.Equal("hello from the tests", downloaded.Value.Content.ToString());
        Assert.StartsWith("http://127.0.0.1:", blob.Uri.ToString(), StringComparison.Ordinal);
    }
}

[Collection(SmtpCollection.Name)]
public sealed class SmtpServerFixtureTests(SmtpServerFixture smtp)
{
    [Fact]
    public async Task A_message_sent_over_smtp_can_be_read_back_from_the_server()
    {
        await smtp.ClearAsync();
        var subject = $"fixture check {Guid.NewGuid():N}";
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("shop@example.test"));
        message.To.Add(MailboxAddress.Parse("customer@example.test"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Your order is confirmed." };

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(smtp.Host, smtp.SmtpPort, MailKit.Security.SecureSocketOptions.None);
            await client.SendAsync(message);
            await client.DisconnectAsync(quit: true);
        }

        var received = Assert.Single(await smtp.WaitForMessagesAsync(1));
        Assert.Equal(subject, received.Subject);
        Assert.Equal("customer@example.test", Assert.Single(received.To).Address);
        Assert.Contains("Your order is confirmed.", received.Text, StringComparison.Ordinal);
    }
}
