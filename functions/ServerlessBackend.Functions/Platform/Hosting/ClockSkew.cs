namespace ServerlessBackend.Functions.Platform.Hosting;

/// <summary>
/// How far apart the clocks the app relies on may be (its instances', a token issuer's). Every window that compares a
/// stored or received instant with now is bounded on both sides with it: an instant later than now by more than this
/// was not written by a clock the app trusts (or the record is corrupt), so it never stretches a window into the future.
/// </summary>
public static class ClockSkew
{
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(1);
}
