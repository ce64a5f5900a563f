using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessBackend.Functions.Platform.Json;

/// <summary>The one JSON configuration for the API and the stores: Web defaults, enums as strings.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.NumberHandling = JsonNumberHandling.Strict;
        // {"id":"X","id":"Y"} is ambiguous: refuse it rather than let the last one win.
        options.AllowDuplicateProperties = false;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>How names appear in JSON (API and documents alike).</summary>
public static class JsonNaming
{
    /// <summary>An enum value as serialized (camelCase string), e.g. for query parameters.</summary>
    public static string EnumValue<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
