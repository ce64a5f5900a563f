namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>Header values as RFC 9110 (5.5) reads them.</summary>
public static class HeaderValues
{
    /// <summary>
    /// The value without its surrounding optional white space, which is spaces and tabs only: any other character
    /// (a line feed, U+2028) stays, so the header's own rule refuses it instead of a trim hiding it.
    /// </summary>
    public static string TrimOptionalWhiteSpace(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Trim(' ', '\t');
    }
}
