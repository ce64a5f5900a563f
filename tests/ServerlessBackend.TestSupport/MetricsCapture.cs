using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBackend.Functions.Platform.Telemetry;
using ServerlessBackend.Functions.Shared.Metrics;

namespace ServerlessBackend.Tests.Support;

/// <summary>One measurement of an app instrument, with its tags.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);

/// <summary>
/// The app's <see cref="AppMetrics"/> over a meter factory of its own, and every measurement its instruments take: a
/// <see cref="MeterListener"/> that listens to this factory's meter only, so tests running in parallel never see
/// each other's counts.
/// </summary>
public sealed class MetricsCapture : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly MeterListener _listener = new();
    private readonly List<RecordedMeasurement> _measurements = [];

    public MetricsCapture()
    {
        _services = new ServiceCollection().AddAppMetrics().BuildServiceProvider();
        var factory = _services.GetRequiredService<IMeterFactory>();
        App = _services.GetRequiredService<AppMetrics>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AppTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The app's metrics for tests that do not look at them: no listener.</summary>
    public static AppMetrics Unobserved { get; } = new ServiceCollection().AddAppMetrics().BuildServiceProvider().GetRequiredService<AppMetrics>();

    public AppMetrics App { get; }

    public IReadOnlyList<RecordedMeasurement> All
    {
        get
        {
            lock (_measurements)
            {
                return [.. _measurements];
            }
        }
    }

    /// <summary>The measurements of <paramref name="instrument"/> whose tags include every one of <paramref name="tags"/>.</summary>
    public IReadOnlyList<RecordedMeasurement> Of(string instrument, params (string Key, string Value)[] tags) =>
        [.. All.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value))];

    /// <summary>The sum of the matching measurements (a counter's increase).</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) => Of(instrument, tags).Sum(m => m.Value);

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copied[tag.Key] = tag.Value?.ToString();
        }

        lock (_measurements)
        {
            _measurements.Add(new RecordedMeasurement(instrument.Name, value, copied));
        }
    }
}
