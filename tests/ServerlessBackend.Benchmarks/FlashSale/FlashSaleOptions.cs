using System.Globalization;

namespace ServerlessBackend.Benchmarks.FlashSale;

/// <summary>The flash-sale run's flags: <c>--orders N --stock K --consumers C</c> (defaults 2000, 1000, 32).</summary>
public sealed record FlashSaleOptions(int Orders, int Stock, int Consumers)
{
    public const string Usage = "usage: flash-sale [--orders N] [--stock K] [--consumers C]   (positive integers; defaults 2000, 1000, 32)";

    public static FlashSaleOptions Default { get; } = new(2000, 1000, 32);

    /// <summary>The options the flags give; throws <see cref="ArgumentException"/> for an unknown flag or a value that is not a positive integer.</summary>
    public static FlashSaleOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = Default;
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{args[i]} needs a positive integer. {Usage}");
            options = args[i] switch
            {
                "--orders" => options with { Orders = value },
                "--stock" => options with { Stock = value },
                "--consumers" => options with { Consumers = value },
                _ => throw new ArgumentException($"Unknown flag {args[i]}. {Usage}"),
            };
        }

        return options;
    }
}
