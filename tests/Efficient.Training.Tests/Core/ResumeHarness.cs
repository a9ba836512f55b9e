using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace Efficient.Training.Tests.Core;

/// <summary>One of the three runs of <see cref="ResumeHarness"/>: its model, the options it ran with and its result.</summary>
internal sealed record ResumeRun<TModel>(TModel Model, TrainerOptions Options, FitResult Result);

/// <summary>The uninterrupted, the interrupted and the resumed run; disposing it disposes the three models.</summary>
internal sealed class ResumeRuns<TModel> : IDisposable where TModel : IDisposable
{
    public ResumeRuns(ResumeRun<TModel> uninterrupted, ResumeRun<TModel> interrupted, ResumeRun<TModel> resumed) =>
        (Uninterrupted, Interrupted, Resumed) = (uninterrupted, interrupted, resumed);

    /// <summary>The run trained from start to end without a checkpoint.</summary>
    public ResumeRun<TModel> Uninterrupted { get; }

    /// <summary>The run cancelled at the end of the interrupting batch (checkpointing).</summary>
    public ResumeRun<TModel> Interrupted { get; }

    /// <summary>The run of a fresh Trainer and model resumed from the interrupted run's checkpoint.</summary>
    public ResumeRun<TModel> Resumed { get; }

    public void Dispose()
    {
        Uninterrupted.Model.Dispose();
        Interrupted.Model.Dispose();
        Resumed.Model.Dispose();
    }
}

/// <summary>
/// Runs a training run uninterrupted, then interrupted at the end of batch k (checkpointing into a temporary folder),
/// then resumed by a fresh Trainer over a new model; returns the three runs so each test makes its own assertions.
/// </summary>
internal static class ResumeHarness
{
    /// <param name="model">Creates the model of the uninterrupted and the interrupted run (called just before each).</param>
    /// <param name="options">The options of a run over the model; the folder is null for the uninterrupted run and the
    /// checkpoint folder for the interrupted and the resumed run.</param>
    /// <param name="interruptAt">The batch after which the interrupted run is cancelled.</param>
    /// <param name="resumedModel">Creates the resumed run's model (default <paramref name="model"/>).</param>
    /// <param name="sameInitialWeights">Whether the interrupted run's model starts from the uninterrupted model's initial weights.</param>
    /// <param name="interrupted">Adjusts the interrupted run's options (after <paramref name="options"/>).</param>
    public static ResumeRuns<TModel> Run<TModel>(
        Func<TModel> model,
        Func<TModel, string?, TrainerOptions> options,
        long interruptAt,
        Func<TModel>? resumedModel = null,
        bool sameInitialWeights = false,
        Action<TrainerOptions>? interrupted = null)
        where TModel : nn.Module
    {
        var folder = Path.Combine(Path.GetTempPath(), "et-resume-" + Guid.NewGuid().ToString("N"));
        var models = new List<TModel>();
        Dictionary<string, Tensor>? initial = null;
        try
        {
            var reference = model();
            models.Add(reference);
            if (sameInitialWeights) initial = reference.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());
            var fullOptions = options(reference, null);
            var full = new ResumeRun<TModel>(reference, fullOptions, new Trainer(fullOptions).Fit());

            var first = model();
            models.Add(first);
            if (initial is not null) first.load_state_dict(initial);
            using var cts = new CancellationTokenSource();
            var firstOptions = options(first, folder);
            interrupted?.Invoke(firstOptions);
            firstOptions.Callbacks.Add(new CancelAt(interruptAt, cts));
            var stopped = new ResumeRun<TModel>(first, firstOptions, new Trainer(firstOptions).Fit(cts.Token));

            var second = (resumedModel ?? model)();
            models.Add(second);
            var secondOptions = options(second, folder);
            var resumed = new ResumeRun<TModel>(second, secondOptions, new Trainer(secondOptions).Fit());
            return new ResumeRuns<TModel>(full, stopped, resumed);
        }
        catch
        {
            foreach (var m in models) m.Dispose();
            throw;
        }
        finally
        {
            if (initial is not null) foreach (var t in initial.Values) t.Dispose();
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Cancels the run at the end of the given batch.</summary>
    private sealed class CancelAt : ITrainingCallback
    {
        private readonly long _batch;
        private readonly CancellationTokenSource _cts;
        public CancelAt(long batch, CancellationTokenSource cts) => (_batch, _cts) = (batch, cts);
        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BatchEnd && state.Timestamp.Batch == _batch) _cts.Cancel();
        }
    }
}
