using System;
using System.Globalization;
using System.Linq;
using Efficient.Training;
using Spectre.Console;

namespace Efficient.Samples;

/// <summary>
/// The samples' live display in a terminal (Spectre.Console): one in-place progress bar with the
/// epoch, batch, latest loss and metrics, throughput and time remaining, then a table of the final
/// metrics. Shared by the samples (linked into each project); the library's own
/// <see cref="Efficient.Training.ProgressBar"/> writes plain lines where output is not a terminal.
/// </summary>
internal sealed class LiveProgress : ITrainingCallback
{
    private readonly SpeedMonitor _speed = new();
    private ProgressTask? _task;

    /// <summary>Whether a live display fits the console: a terminal, not redirected.</summary>
    public static bool Supported(IAnsiConsole console) =>
        console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>Runs <paramref name="fit"/> inside a live progress display on <paramref name="console"/>, then prints the final metrics (when the run evaluated) as a table.</summary>
    public static T Run<T>(IAnsiConsole console, string title, LiveProgress progress, Func<T> fit, Func<T, System.Collections.Generic.IReadOnlyDictionary<string, double>> metrics)
    {
        var result = console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                progress._task = context.AddTask(Markup.Escape(title), maxValue: 1.0);
                var value = fit();
                progress._task.Value = progress._task.MaxValue;
                return value;
            });
        var final = metrics(result);
        if (final.Count == 0) return result;   // no evaluation during the run: the caller reports its own
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (name, value) in final.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            table.AddRow(Markup.Escape(name), value.ToString("0.####", CultureInfo.InvariantCulture));
        console.Write(table);
        return result;
    }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        _speed.OnEvent(trainingEvent, state);
        if (_task is null || !state.IsRankZero) return;
        if (trainingEvent is not (TrainingEvent.BatchEnd or TrainingEvent.EvalEnd)) return;
        _task.Value = state.Progress;
        var loss = state.LastBatchLoss is { } l ? string.Create(CultureInfo.InvariantCulture, $" loss {l:0.###}") : "";
        var metrics = string.Concat(state.Metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => string.Create(CultureInfo.InvariantCulture, $" {kv.Key} {kv.Value:0.###}")));
        var speed = _speed.SamplesPerSecond > 0 ? string.Create(CultureInfo.InvariantCulture, $" {_speed.SamplesPerSecond:0} samples/s") : "";
        _task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"ep {state.Timestamp.Epoch} ba {state.Timestamp.Batch}{loss}{metrics}{speed}"));
    }
}
