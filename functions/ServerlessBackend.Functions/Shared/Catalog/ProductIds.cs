using System.Text.RegularExpressions;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Functions.Shared.Catalog;

/// <summary>Product ids (SKUs): the catalog validates new ones with them, orders and refunds the ids their lines name.</summary>
public static partial class ProductIds
{
    public const int MaxLength = 64;

    /// <summary>URL- and Cosmos-id-safe: letters, digits, '.', '_', '-'.</summary>
    public static bool IsValid(string? id) => id is { Length: > 0 and <= MaxLength } && IdPattern().IsMatch(id);

    public static void Validate(FieldErrors errors, string field, string? id)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(id))
        {
            errors.Add(field, "Required.");
        }
        else if (!IsValid(id))
        {
            errors.Add(field, $"1 to {MaxLength} letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\z")]
    private static partial Regex IdPattern();
}
