using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.Functions.Platform.Cosmos;

/// <summary>System.Text.Json with the API's options (<see cref="ApiJson"/>) for every document and patch value.</summary>
public sealed class CosmosJsonSerializer : CosmosSerializer
{
    public override T FromStream<T>(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (typeof(Stream).IsAssignableFrom(typeof(T)))
        {
            return (T)(object)stream;
        }

        using (stream)
        {
            if (stream.CanSeek && stream.Length == 0)
            {
                return default!;
            }

            return JsonSerializer.Deserialize<T>(stream, ApiJson.Options)!;
        }
    }

    public override Stream ToStream<T>(T input)
    {
        var stream = new MemoryStream();
        JsonSerializer.Serialize(stream, input, ApiJson.Options);
        stream.Position = 0;
        return stream;
    }
}
