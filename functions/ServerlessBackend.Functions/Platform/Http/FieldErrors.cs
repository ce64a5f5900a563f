namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>Collects per-field validation messages, keyed by the field's path in the body (e.g. <c>lines[0].productId</c>), a header's or a query parameter's name.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <summary>Adds an error when <paramref name="value"/> is missing or blank, longer than <paramref name="maxLength"/>, or not <see cref="PrintableText"/>.</summary>
    public void RequireText(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "Required.");
        }
        else
        {
            OptionalText(field, value, maxLength);
        }
    }

    /// <summary>Adds an error when <paramref name="value"/> is given and longer than <paramref name="maxLength"/>, or not <see cref="PrintableText"/>.</summary>
    public void OptionalText(string field, string? value, int maxLength)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > maxLength)
        {
            Add(field, $"At most {maxLength} characters.");
        }

        if (!PrintableText.IsPrintable(value))
        {
            Add(field, PrintableText.Rule);
        }
    }

    public void Range(string field, long? value, long min, long max)
    {
        if (value is null)
        {
            Add(field, "Required.");
        }
        else if (value < min || value > max)
        {
            Add(field, $"Must be from {min} to {max}.");
        }
    }

    public ApiError ToError() => ApiError.Validation(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
}
