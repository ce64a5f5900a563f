using System.Text;
using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.UnitTests.Platform.Http;

/// <summary>
/// <see cref="JsonBody"/> reads with a pooled chunk into a buffer sized by Content-Length: bodies that span
/// many reads, arrive without or with a wrong Content-Length, or follow a larger body are still read exactly.
/// </summary>
public sealed class JsonBodyTests
{
    private const string Email = "customer@example.test";

    [Fact]
    public async Task A_body_arriving_in_small_reads_without_Content_Length_is_read_whole()
    {
        var outcome = await Read(Padded(40_000), contentLength: null, readSize: 1000);

        Assert.Null(outcome.Error);
        AssertSample(outcome.Value!);
    }

    [Fact]
    public async Task Exactly_MaxBytes_without_Content_Length_is_read_and_one_byte_more_is_413()
    {
        var atLimit = await Read(Padded(JsonBody.MaxBytes), contentLength: null, readSize: 4096);
        var overLimit = await Read(Padded(JsonBody.MaxBytes + 1), contentLength: null, readSize: 4096);

        AssertSample(atLimit.Value!);
        Assert.Equal(ProblemKind.PayloadTooLarge, overLimit.Error?.Kind);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(JsonBody.MaxBytes)]
    public async Task A_Content_Length_that_does_not_match_the_body_only_sizes_the_buffer(long contentLength)
    {
        var outcome = await Read(Padded(20_000), contentLength, readSize: 8192);

        AssertSample(outcome.Value!);
    }

    [Fact]
    public async Task A_short_body_read_after_a_long_one_is_not_mixed_with_its_bytes()
    {
        await Read(Padded(30_000), contentLength: null, readSize: 8192);

        var outcome = await Read("""{"lines":[{"productId":"B","quantity":2}]}""", contentLength: null, readSize: 8192);

        Assert.Equal([new OrderLineRequest("B", 2)], outcome.Value!.Lines);
        Assert.Null(outcome.Value.ContactEmail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("null")]
    public async Task A_body_that_is_empty_or_not_an_object_is_a_400_about_the_body_with_no_field_named(string body)
    {
        var outcome = await Read(body, contentLength: null, readSize: 8192);

        Assert.Equal(ProblemKind.Validation, outcome.Error?.Kind);
        Assert.Null(outcome.Error!.Errors);
    }

    [Theory]
    [InlineData(8192)]
    [InlineData(1)]
    public async Task A_body_starting_with_a_UTF8_byte_order_mark_is_read_as_without_it(int readSize)
    {
        // RFC 8259, 8.1: a parser may ignore it; writers with the UTF-8 preamble on (.NET's Encoding.UTF8 in a
        // StreamWriter, Windows PowerShell 5.1's -Encoding UTF8) send one. Also when it arrives one byte per read.
        var outcome = await Read("\uFEFF" + Padded(200), contentLength: null, readSize);

        Assert.Null(outcome.Error);
        AssertSample(outcome.Value!);
    }

    [Theory]
    [InlineData("\uFEFF")]
    [InlineData("\uFEFF\uFEFF{}")]
    [InlineData("{\uFEFF}")]
    [InlineData(" \uFEFF{}")]
    public async Task Only_one_leading_byte_order_mark_is_ignored_a_body_of_nothing_else_is_empty_and_any_other_is_a_400(string body)
    {
        var outcome = await Read(body, contentLength: null, readSize: 8192);

        Assert.Equal(ProblemKind.Validation, outcome.Error?.Kind);
    }

    [Fact]
    public async Task The_byte_order_mark_counts_towards_the_limit_as_the_bytes_received()
    {
        var outcome = await Read("\uFEFF" + Padded(JsonBody.MaxBytes - 2), contentLength: null, readSize: 4096);

        Assert.Equal(ProblemKind.PayloadTooLarge, outcome.Error?.Kind);
    }

    /// <summary>One key format for parse errors and rule errors alike: the field's path in the body, no "$." root.</summary>
    [Theory]
    [InlineData("""{"lines":[{"productId":"A","quantity":1}],"tenantId":"x"}""", "tenantId")]
    [InlineData("""{"lines":[{"productId":"A","quantity":1,"unitPrice":1}]}""", "lines[0].unitPrice")]
    [InlineData("""{"lines":[{"productId":"A","quantity":1},{"productId":"B","quantity":"2"}]}""", "lines[1].quantity")]
    [InlineData("""{"lines":[{"productId":"A","quantity":1}],"contactEmail":5}""", "contactEmail")]
    [InlineData("""{"lines":{"productId":"A"}}""", "lines")]
    [InlineData("""{"lines":[{"productId":"A","quantity":1}],"a.b":1}""", "['a.b']")]
    [InlineData("""{"lines":[{"productId":"A","quantity":1,"x y":1}]}""", "lines[0]['x y']")]
    public async Task A_parse_error_is_keyed_by_the_fields_path_without_a_root_prefix(string body, string field)
    {
        var outcome = await Read(body, contentLength: null, readSize: 8192);

        Assert.Equal([field], outcome.Error!.Errors!.Keys);
    }

    /// <summary>A valid place-order body of exactly <paramref name="bytes"/> bytes (JSON whitespace as padding).</summary>
    private static string Padded(int bytes)
    {
        const string Start = """{"lines":[{"productId":"A","quantity":1}],""";
        const string End = "\"contactEmail\":\"" + Email + "\"}";
        return Start + new string(' ', bytes - Start.Length - End.Length) + End;
    }

    private static void AssertSample(PlaceOrderRequest request)
    {
        Assert.Equal([new OrderLineRequest("A", 1)], request.Lines);
        Assert.Equal(Email, request.ContactEmail);
    }

    private static Task<Outcome<PlaceOrderRequest>> Read(string body, long? contentLength, int readSize)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = contentLength;
        context.Request.Body = new TrickleStream(Encoding.UTF8.GetBytes(body), readSize);
        return JsonBody.ReadAsync<PlaceOrderRequest>(context.Request, CancellationToken.None);
    }

    /// <summary>Returns at most <c>readSize</c> bytes per read, as a network stream does.</summary>
    private sealed class TrickleStream(byte[] bytes, int readSize) : MemoryStream(bytes, writable: false)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
    }
}
