using System.Collections;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// A collection other threads may add to while a test reads it, for OpenTelemetry's in-memory exporters: activity
/// listeners are process-wide, so spans of tests running in parallel arrive too, on their own threads, at any moment.
/// Enumerating reads a copy taken under the lock (a plain <see cref="List{T}"/> there fails the reader with
/// "Collection was modified" now and then).
/// </summary>
public sealed class SnapshotCollection<T> : ICollection<T>
{
    private readonly List<T> _items = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public void Add(T item)
    {
        lock (_lock)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item) => Snapshot().Contains(item);

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_lock)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_lock)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private List<T> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }
}
