using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Efficient.Training;

/// <summary>Appends one record per logged event to a JSON-lines or CSV file: training loss per batch, metrics per evaluation.</summary>
public sealed class MetricsLogger : ITrainingCallback, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly bool _csv;
    private readonly int _every;

    /// <summary>Creates the logger; the format follows the extension (<c>.csv</c>, otherwise JSON lines). Logs the loss every <paramref name="everyBatches"/> batches.</summary>
    public MetricsLogger(string path, int everyBatches = 1)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("MetricsLogger: the path must not be empty.", nameof(path));
        if (everyBatches < 1) throw new ArgumentOutOfRangeException(nameof(everyBatches), everyBatches, "MetricsLogger: everyBatches must be at least 1.");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        _csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        _every = everyBatches;
        _writer = new StreamWriter(path, append: false, Encoding.UTF8) { AutoFlush = true };
        if (_csv) _writer.WriteLine("kind,epoch,batch,sample,wall_seconds,name,value");
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (!state.IsRankZero) return; // data-parallel runs: only rank 0 logs
        var t = state.Timestamp;
        if (trainingEvent == TrainingEvent.BatchEnd && t.Batch % _every == 0 && state.LastBatchLoss is { } loss)
            Write("train", t, new Dictionary<string, double> { ["loss"] = loss, ["lr"] = state.Optimizer.ParamGroups.First().LearningRate });
        else if (trainingEvent == TrainingEvent.EvalEnd)
            Write("eval", t, state.Metrics);
    }

    private void Write(string kind, Timestamp t, IReadOnlyDictionary<string, double> values)
    {
        if (_csv)
        {
            foreach (var (k, v) in values)
                _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind},{t.Epoch},{t.Batch},{t.Sample},{t.TotalWallClock.TotalSeconds:0.###},{k},{v:R}"));
            return;
        }
        var record = new Dictionary<string, object> { ["kind"] = kind, ["epoch"] = t.Epoch, ["batch"] = t.Batch, ["sample"] = t.Sample, ["wall_seconds"] = Math.Round(t.TotalWallClock.TotalSeconds, 3) };
        foreach (var (k, v) in values) record[k] = double.IsFinite(v) ? v : v.ToString(CultureInfo.InvariantCulture);
        _writer.WriteLine(JsonSerializer.Serialize(record));
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}
