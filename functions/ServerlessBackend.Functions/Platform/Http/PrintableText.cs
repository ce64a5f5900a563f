using System.Globalization;
using System.Text;

namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>
/// The one rule for text the API stores or keys data by (product names and descriptions, the tenant and caller
/// claims): well-formed UTF-16 without control characters (Unicode Cc: C0, DEL, C1, so also line feeds and tabs),
/// format characters (Cf: bidi overrides and isolates, zero-width spaces and joiners, the byte order mark, soft
/// hyphens) and the line and paragraph separators (U+2028, U+2029). They are invisible or reorder what is shown, so
/// they could make two different values look alike, or a name display as something else.
/// </summary>
public static class PrintableText
{
    public const string Rule = "Printable text only: no control or Unicode format characters (such as line breaks, tabs, bidi overrides or zero-width spaces).";

    public static bool IsPrintable(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) != System.Buffers.OperationStatus.Done
                || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return false;
            }

            rest = rest[consumed..];
        }

        return true;
    }
}
