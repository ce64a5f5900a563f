namespace ServerlessBackend.Functions.Domain;

public static class Money
{
    /// <summary>
    /// The amount without trailing zeros (12.50 becomes 12.5). JSON stores see numbers, not decimals, and
    /// give them back that way; normalizing first makes a created resource and its later reads identical.
    /// </summary>
    public static decimal Normalize(decimal amount) => amount / 1.0000000000000000000000000000m;
}
