namespace ServerlessBackend.Functions.Platform.Cosmos;

/// <summary>
/// The one loop for a change decided on what a document holds (an order, a webhook endpoint): decide on the version
/// read and write on its ETag; when the write loses a race (<see cref="DocumentPreconditionFailedException"/>), read the
/// document again and decide again.
/// The last attempt's 412 propagates: a message is retried by Service Bus, a request answers it. Besides concurrent
/// changes, the publisher marking an order's events published changes its ETag, so a lost race usually ends in the same decision.
/// </summary>
public static class ETagRaces
{
    /// <summary>Attempts of a message's consumer.</summary>
    public const int MessageAttempts = 5;

    /// <param name="current">The version read (or written) last.</param>
    /// <param name="decide">Decides on a version and makes its write (or none); throws the 412 of a lost race.</param>
    /// <param name="reread">Reads the document again after a lost race, with the caller's rule for one that is gone.</param>
    /// <param name="attempts">How many times <paramref name="decide"/> runs at most.</param>
    public static async Task<TResult> DecideAsync<TDocument, TResult>(
        TDocument current, Func<TDocument, Task<TResult>> decide, Func<TDocument, Task<TDocument>> reread, int attempts = MessageAttempts)
    {
        ArgumentNullException.ThrowIfNull(decide);
        ArgumentNullException.ThrowIfNull(reread);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await decide(current).ConfigureAwait(false);
            }
            catch (DocumentPreconditionFailedException) when (attempt < attempts)
            {
                current = await reread(current).ConfigureAwait(false);
            }
        }
    }
}
