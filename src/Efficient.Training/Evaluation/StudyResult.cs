using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Efficient.Training.Evaluation;

/// <summary>Mean and spread (sample standard deviation, 0 for one value) of a set of runs' values.</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Std">The sample standard deviation.</param>
/// <param name="Count">How many values.</param>
public readonly record struct Spread(double Mean, double Std, int Count)
{
    /// <summary>The spread of <paramref name="values"/> (NaN mean when empty).</summary>
    public static Spread Of(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) return new Spread(double.NaN, double.NaN, 0);
        var mean = v.Average();
        var std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return new Spread(mean, std, v.Length);
    }

    /// <summary>"mean ± std" with the given format.</summary>
    public string Format(string format) => Count == 0 ? "—" : $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {Std.ToString(format, CultureInfo.InvariantCulture)}";
}

/// <summary>The runs of one recipe at one budget, summarised over seeds.</summary>
/// <param name="Recipe">The recipe.</param>
/// <param name="Budget">The budget.</param>
/// <param name="Final">The final metric over seeds.</param>
/// <param name="WallSeconds">The training wall-clock time over seeds.</param>
/// <param name="TimeToTarget">The time to the target over the seeds that reached it.</param>
/// <param name="Reached">How many seeds reached the target.</param>
/// <param name="Runs">How many seeds ran.</param>
/// <param name="SpeedUp">
/// The speed-up to the target: the mean training time of the baseline's fastest budget whose mean final
/// metric reaches the target ÷ this one's mean training time, when this one's mean final metric reaches
/// the target too (null otherwise).
/// </param>
/// <param name="EqualQualitySpeedUp">
/// The speed-up at equal quality: the time the baseline's curve needs to reach this one's mean final
/// metric (linear between the baseline's budgets) ÷ this one's mean training time; null when this
/// metric lies outside the range the baseline's curve covers.
/// </param>
/// <param name="AboveBaselineCurve">Whether the mean (time, metric) point lies on or above the baseline's curve (see <see cref="StudyResult"/>).</param>
/// <param name="OnParetoFrontier">Whether no other (recipe, budget) is both at least as fast and at least as good, one of them strictly.</param>
/// <param name="Footprint">The footprint of the first seed's model.</param>
public sealed record StudySummary(string Recipe, Duration Budget, Spread Final, Spread WallSeconds, Spread TimeToTarget, int Reached, int Runs,
    double? SpeedUp, double? EqualQualitySpeedUp, bool AboveBaselineCurve, bool OnParetoFrontier, Footprint Footprint);

/// <summary>
/// The outcome of a <see cref="Study"/>: the runs, the target, per (recipe, budget) summaries, and
/// writers for CSV (a row per run), JSON (everything, curves included) and a Markdown table (the
/// plots, as PNG and SVG, come from the <c>Efficient.Training.Plotting</c> package's <c>StudyPlots</c>).
/// The baseline's curve is the line through its (mean time, mean metric) points over its budgets;
/// a point is on or above it when its metric is at least the curve's value at its time (the curve
/// is held flat before its first and after its last point).
/// </summary>
public sealed class StudyResult
{
    internal StudyResult(StudyOptions options, IReadOnlyList<StudyRun> runs)
    {
        Options = options;
        Runs = runs;
        var baselineRuns = runs.Where(r => r.Spec.Recipe == options.Baseline).ToList();
        // The baseline's longest budget (most batches trained) defines the default target.
        var longest = baselineRuns.GroupBy(r => r.Spec.Budget).OrderBy(g => g.Average(r => r.Batches)).Last();
        Target = options.Target ?? longest.Average(r => r.Final(options.Metric));

        var groups = runs.GroupBy(r => (r.Spec.Recipe, r.Spec.Budget)).ToList();
        var points = groups.Select(g => (g.Key, time: g.Average(r => r.WallSeconds), metric: g.Average(r => r.Final(options.Metric)))).ToList();
        var baselineCurve = points.Where(p => p.Key.Recipe == options.Baseline).Select(p => (p.time, p.metric)).OrderBy(p => p.time).ToList();
        // The baseline's time to the target: its fastest budget whose mean final metric reaches it.
        var baselineTime = baselineCurve.Where(p => ReachesTarget(p.metric)).Select(p => (double?)p.time).FirstOrDefault();
        Summaries = groups.Select(g =>
        {
            var times = g.Select(r => r.TimeTo(options.Metric, Target, options.HigherIsBetter)).OfType<double>().ToList();
            var point = points.Single(p => p.Key == g.Key);
            double? speedUp = baselineTime is { } b && ReachesTarget(point.metric) && point.time > 0 ? b / point.time : null;
            double? equalQuality = BaselineTimeTo(baselineCurve, point.metric) is { } e && point.time > 0 ? e / point.time : null;
            var onFrontier = !points.Any(o => o.Key != g.Key && Better(o.time, o.metric, point.time, point.metric));
            return new StudySummary(g.Key.Recipe, g.Key.Budget, Spread.Of(g.Select(r => r.Final(options.Metric))), Spread.Of(g.Select(r => r.WallSeconds)),
                Spread.Of(times), times.Count, g.Count(), speedUp, equalQuality, AtOrAbove(baselineCurve, point.time, point.metric), onFrontier, g.First().Footprint);
        }).ToList();
    }

    /// <summary>The options the study ran with.</summary>
    public StudyOptions Options { get; }

    /// <summary>Every run, in the order they ran.</summary>
    public IReadOnlyList<StudyRun> Runs { get; }

    /// <summary>The quality time-to-target was measured at.</summary>
    public double Target { get; }

    /// <summary>One summary per (recipe, budget), in run order.</summary>
    public IReadOnlyList<StudySummary> Summaries { get; }

    private bool Higher(double a, double b) => Options.HigherIsBetter ? a > b : a < b;

    private bool AtLeast(double a, double b) => Options.HigherIsBetter ? a >= b : a <= b;

    // (t1, m1) dominates (t2, m2): at least as fast and as good, one strictly.
    private bool Better(double t1, double m1, double t2, double m2) => t1 <= t2 && AtLeast(m1, m2) && (t1 < t2 || Higher(m1, m2));

    // At least as good as reference, within one part in a million: keeps a mean equal to the target
    // (the baseline's own) at it, and the baseline's points on its own curve.
    private bool AtLeastWithin(double metric, double reference) =>
        AtLeast(metric + (Options.HigherIsBetter ? 1e-6 : -1e-6) * Math.Max(1, Math.Abs(metric)), reference);

    private bool ReachesTarget(double metric) => AtLeastWithin(metric, Target);

    // When the baseline's curve (mean points by time) first reaches metric, linear between its points;
    // null when its first point is already past it (the time before is unknown) or it never gets there.
    private double? BaselineTimeTo(List<(double time, double metric)> curve, double metric)
    {
        if (curve.Count == 0 || !double.IsFinite(metric) || AtLeast(curve[0].metric, metric)) return null;
        for (var i = 1; i < curve.Count; i++)
        {
            if (!AtLeast(curve[i].metric, metric)) continue;
            var (t0, m0) = curve[i - 1];
            var (t1, m1) = curve[i];
            return t0 + (t1 - t0) * (metric - m0) / (m1 - m0);
        }
        return null;
    }

    private bool AtOrAbove(List<(double time, double metric)> curve, double time, double metric)
    {
        if (curve.Count == 0) return false;
        double reference;
        if (time <= curve[0].time) reference = curve[0].metric;
        else if (time >= curve[^1].time) reference = curve[^1].metric;
        else
        {
            var i = curve.FindIndex(p => p.time >= time);
            var (t0, m0) = curve[i - 1];
            var (t1, m1) = curve[i];
            reference = m0 + (m1 - m0) * (time - t0) / (t1 - t0);
        }
        return AtLeastWithin(metric, reference);
    }

    /// <summary>Writes <c>study.csv</c>, <c>study.json</c> and <c>study.md</c> into <paramref name="folder"/> (created if needed) and returns their paths.</summary>
    public IReadOnlyList<string> Write(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new ArgumentException("StudyResult.Write: the folder must not be empty.", nameof(folder));
        Directory.CreateDirectory(folder);
        var files = new[] { ("study.csv", ToCsv()), ("study.json", ToJson()), ("study.md", ToMarkdown()) };
        var paths = new List<string>();
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(folder, name);
            var temp = path + ".tmp";
            File.WriteAllText(temp, text, new UTF8Encoding(false));
            File.Move(temp, path, overwrite: true);
            paths.Add(path);
        }
        return paths;
    }

    private static string F(double v, string format = "0.######") => double.IsNaN(v) ? "" : v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A CSV row per run: recipe, budget, seed, final metric, wall seconds, time to target, footprint.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"recipe,budget,seed,{Options.Metric},wall_seconds,time_to_target_seconds,parameters,model_bytes,latency_ms_per_sample");
        foreach (var r in Runs)
        {
            var ttt = r.TimeTo(Options.Metric, Target, Options.HigherIsBetter);
            sb.AppendLine(string.Join(",", r.Spec.Recipe, r.Spec.Budget, r.Spec.Seed.ToString(CultureInfo.InvariantCulture), F(r.Final(Options.Metric)),
                F(r.WallSeconds, "0.###"), ttt is { } t ? F(t, "0.###") : "", r.Footprint.Parameters.ToString(CultureInfo.InvariantCulture),
                r.Footprint.ModelBytes.ToString(CultureInfo.InvariantCulture), r.Footprint.LatencyMsPerSample is { } l ? F(l, "0.####") : ""));
        }
        return sb.ToString();
    }

    /// <summary>Everything as JSON: settings, target, summaries and every run with its curve.</summary>
    public string ToJson()
    {
        var doc = new
        {
            metric = Options.Metric,
            higher_is_better = Options.HigherIsBetter,
            baseline = Options.Baseline,
            seeds = Options.Seeds,
            target = Target,
            summaries = Summaries.Select(s => new
            {
                recipe = s.Recipe, budget = s.Budget.ToString(), final_mean = s.Final.Mean, final_std = s.Final.Std,
                wall_seconds_mean = s.WallSeconds.Mean, wall_seconds_std = s.WallSeconds.Std,
                time_to_target_mean = s.TimeToTarget.Count > 0 ? s.TimeToTarget.Mean : (double?)null,
                time_to_target_std = s.TimeToTarget.Count > 0 ? s.TimeToTarget.Std : (double?)null,
                reached = s.Reached, runs = s.Runs, speed_up = s.SpeedUp, equal_quality_speed_up = s.EqualQualitySpeedUp, above_baseline_curve = s.AboveBaselineCurve,
                on_pareto_frontier = s.OnParetoFrontier, parameters = s.Footprint.Parameters, model_bytes = s.Footprint.ModelBytes,
                latency_ms_per_sample = s.Footprint.LatencyMsPerSample,
            }),
            runs = Runs.Select(r => new
            {
                recipe = r.Spec.Recipe, budget = r.Spec.Budget.ToString(), seed = r.Spec.Seed, wall_seconds = r.WallSeconds, batches = r.Batches,
                final = double.IsNaN(r.Final(Options.Metric)) ? (double?)null : r.Final(Options.Metric),
                time_to_target = r.TimeTo(Options.Metric, Target, Options.HigherIsBetter),
                footprint = new { parameters = r.Footprint.Parameters, model_bytes = r.Footprint.ModelBytes, latency_ms_per_sample = r.Footprint.LatencyMsPerSample },
                curve = r.Curve.Select(p => new { wall_seconds = p.WallSeconds, batch = p.Batch, metrics = p.Metrics }),
            }),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
    }

    /// <summary>A Markdown table: per (recipe, budget) the metric, wall time and time to target (mean ± spread over seeds), the speed-up and the footprint.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        var higher = Options.HigherIsBetter ? "higher" : "lower";
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Target: {Options.Metric} {(Options.HigherIsBetter ? "≥" : "≤")} {Target:0.####} ({(Options.Target is null ? $"the {Options.Baseline}'s mean final value at its longest budget" : "given")}; {higher} is better). Seeds: {string.Join(", ", Options.Seeds)}. Mean ± sample standard deviation over seeds; times are training wall-clock seconds (evaluation excluded). "
            + $"Time to target: per seed, the first evaluation at the target (seeds that got there). Speed-up to target: the {Options.Baseline}'s mean time at its fastest budget whose mean reaches the target ÷ this mean time, where this mean reaches it too. "
            + $"Speed-up at equal {Options.Metric}: the time the {Options.Baseline}'s curve (linear between its budgets' mean points) needs for this mean {Options.Metric} ÷ this mean time."));
        sb.AppendLine();
        sb.AppendLine($"| recipe | budget | {Options.Metric} | wall s | time to target s | reached | speed-up to target | speed-up at equal {Options.Metric} | on/above baseline curve | Pareto | params | size | latency ms/sample |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in Summaries)
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {s.Recipe} | {s.Budget} | {s.Final.Format("0.0000")} | {s.WallSeconds.Format("0.0")} | {s.TimeToTarget.Format("0.0")} | {s.Reached}/{s.Runs} | {Times(s.SpeedUp)} | {Times(s.EqualQualitySpeedUp)} | {(s.AboveBaselineCurve ? "yes" : "no")} | {(s.OnParetoFrontier ? "★" : "")} | {s.Footprint.Parameters:N0} | {s.Footprint.ModelBytes / 1024.0:0.0} KiB | {(s.Footprint.LatencyMsPerSample is { } l ? l.ToString("0.000", CultureInfo.InvariantCulture) : "—")} |"));
        }
        return sb.ToString();
    }

    private static string Times(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—";
}
