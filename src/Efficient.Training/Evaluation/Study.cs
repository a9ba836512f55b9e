using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace Efficient.Training.Evaluation;

/// <summary>One evaluation of a run: training wall-clock time so far and the metrics.</summary>
/// <param name="WallSeconds">Seconds since the run's fit started, evaluation time excluded.</param>
/// <param name="Batch">Batches trained so far.</param>
/// <param name="Metrics">The evaluation's metrics.</param>
public sealed record CurvePoint(double WallSeconds, long Batch, IReadOnlyDictionary<string, double> Metrics);

/// <summary>One finished run of a study.</summary>
/// <param name="Spec">Recipe, budget and seed.</param>
/// <param name="Curve">Every evaluation, in order (the last one is the final metric).</param>
/// <param name="WallSeconds">The run's training wall-clock time (fit start to end, evaluation excluded).</param>
/// <param name="Batches">Batches the run trained.</param>
/// <param name="Footprint">Parameters, size on disk, inference latency of the trained model.</param>
public sealed record StudyRun(StudyRunSpec Spec, IReadOnlyList<CurvePoint> Curve, double WallSeconds, long Batches, Footprint Footprint)
{
    /// <summary>The final value of <paramref name="metric"/> (NaN when the run never evaluated it).</summary>
    public double Final(string metric) => Curve.Count > 0 && Curve[^1].Metrics.TryGetValue(metric, out var v) ? v : double.NaN;

    /// <summary>Training seconds until <paramref name="metric"/> first reached <paramref name="target"/>, or null if it never did.</summary>
    public double? TimeTo(string metric, double target, bool higherIsBetter) =>
        Curve.FirstOrDefault(p => p.Metrics.TryGetValue(metric, out var v) && (higherIsBetter ? v >= target : v <= target))?.WallSeconds;
}

/// <summary>
/// The speed-up study of the efficient-training literature: runs every recipe over several seeds
/// (and budgets), records each run's accuracy-vs-time curve and its time to a target quality (by
/// default the baseline's final quality), and summarises them (<see cref="StudyResult"/>: CSV, JSON,
/// a Markdown table with mean ± spread and speed-ups, an SVG plot with the Pareto frontier).
/// Speed-up to target = the baseline's mean training time at its fastest budget whose mean reaches
/// the target ÷ a recipe budget's mean training time where its mean reaches it too; speed-up at equal
/// quality reads the baseline's time off its curve; same machine, wall-clock.
/// </summary>
public static class Study
{
    /// <summary>Runs the study. Runs happen one after another in recipe, budget, seed order.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">A run did not evaluate the study's metric.</exception>
    public static StudyResult Run(StudyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var runs = new List<StudyRun>();
        foreach (var recipe in options.Recipes)
            foreach (var budget in options.BudgetsOf(recipe))
                foreach (var seed in options.Seeds)
                {
                    var run = RunOne(options, new StudyRunSpec(recipe, budget, seed));
                    runs.Add(run);
                    options.Log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"study: {recipe} {budget} seed {seed}: {options.Metric} {run.Final(options.Metric):0.0000} in {run.WallSeconds:0.0} s"));
                }
        return new StudyResult(options, runs);
    }

    private static StudyRun RunOne(StudyOptions options, StudyRunSpec spec)
    {
        var trainerOptions = options.CreateRun!(spec) ?? throw new InvalidOperationException($"CreateRun returned no options for {spec}.");
        if (trainerOptions.EvalData is null)
            throw new InvalidOperationException($"The run {spec.Recipe} {spec.Budget} seed {spec.Seed} has no EvalData; a study needs evaluations to trace {options.Metric}.");
        var recorder = new CurveRecorder();
        trainerOptions.Callbacks.Add(recorder);
        var trainer = new Trainer(trainerOptions);
        trainer.Fit();
        // The last evaluation may not coincide with the end of the run (a budget that ends inside
        // an epoch, an evaluation interval that does not divide it): evaluate the final model too.
        if (recorder.Points.Count == 0 || recorder.Points[^1].Batch != trainer.State!.Timestamp.Batch) trainer.Evaluate();
        if (!recorder.Points[^1].Metrics.ContainsKey(options.Metric))
            throw new InvalidOperationException($"The run {spec.Recipe} {spec.Budget} seed {spec.Seed} reports no metric '{options.Metric}' (it reports {string.Join(", ", recorder.Points[^1].Metrics.Keys)}).");
        var model = trainer.State!.Model;
        using var input = options.FootprintInput?.Invoke();
        var footprint = Footprint.Measure(model, input);
        return new StudyRun(spec, recorder.Points.ToList(), recorder.TrainingSeconds, trainer.State.Timestamp.Batch, footprint);
    }

    /// <summary>Records each evaluation with the training time so far (evaluation time excluded).</summary>
    private sealed class CurveRecorder : ITrainingCallback
    {
        private readonly Stopwatch _training = new();
        private bool _fitting;
        private long _lastBatch = -1;

        public List<CurvePoint> Points { get; } = new();

        public double TrainingSeconds => _training.Elapsed.TotalSeconds;

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            switch (trainingEvent)
            {
                case TrainingEvent.FitStart:
                    _fitting = true;
                    _training.Start();
                    break;
                case TrainingEvent.EvalStart:
                    _training.Stop();
                    break;
                case TrainingEvent.EvalEnd:
                    if (_fitting) _training.Start();
                    // An evaluation at the batch of the previous one (e.g. once more after the run)
                    // replaces it rather than adding a point.
                    if (Points.Count > 0 && _lastBatch == state.Timestamp.Batch) Points.RemoveAt(Points.Count - 1);
                    Points.Add(new CurvePoint(TrainingSeconds, state.Timestamp.Batch, new Dictionary<string, double>(state.Metrics)));
                    _lastBatch = state.Timestamp.Batch;
                    break;
                case TrainingEvent.FitEnd:
                    _fitting = false;
                    _training.Stop();
                    break;
            }
        }
    }
}
