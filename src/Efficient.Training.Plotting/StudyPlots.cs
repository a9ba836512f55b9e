using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Efficient.Training.Evaluation;
using ScottPlot;

namespace Efficient.Training.Plotting;

/// <summary>
/// Plots of a <see cref="StudyResult"/> drawn with ScottPlot: the metric against training
/// wall-clock time with every run's curve, each (recipe, budget) mean point with its spread, the
/// baseline's curve, the target and the Pareto frontier; and bars per (recipe, budget) for
/// ablations. <see cref="Write"/> saves them as PNG and SVG.
/// </summary>
public static class StudyPlots
{
    private static readonly string[] Palette = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf" };

    /// <summary>
    /// The metric against training wall-clock time: every run's evaluation curve (thin), the mean
    /// point of each (recipe, budget) with ± one standard deviation in time and metric (larger and
    /// outlined on the Pareto frontier), the baseline's curve over its budgets, the target (dotted)
    /// and the Pareto frontier (dashed step line through the non-dominated mean points).
    /// </summary>
    /// <param name="result">The study.</param>
    public static Plot Curves(StudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = result.Options;
        var recipes = options.Recipes.ToList();
        var plot = new Plot();
        plot.Title($"{options.Metric} vs training wall-clock time");
        plot.XLabel("training wall-clock time (s)");
        plot.YLabel(options.Metric);

        foreach (var run in result.Runs)
        {
            var points = run.Curve.Where(p => p.Metrics.TryGetValue(options.Metric, out var m) && double.IsFinite(m)).ToList();
            if (points.Count == 0) continue;
            var curve = plot.Add.Scatter(points.Select(p => p.WallSeconds).ToArray(), points.Select(p => p.Metrics[options.Metric]).ToArray(), ColorOf(run.Spec.Recipe, recipes).WithAlpha(0.35));
            curve.MarkerSize = 0;
            curve.LineWidth = 1;
        }

        var baseline = result.Summaries.Where(s => s.Recipe == options.Baseline && double.IsFinite(s.Final.Mean)).OrderBy(s => s.WallSeconds.Mean).ToList();
        if (baseline.Count > 1)
        {
            var line = plot.Add.Scatter(baseline.Select(s => s.WallSeconds.Mean).ToArray(), baseline.Select(s => s.Final.Mean).ToArray(), ColorOf(options.Baseline, recipes));
            line.LineWidth = 2;
            line.MarkerSize = 0;
        }

        var frontier = result.Summaries.Where(s => s.OnParetoFrontier && double.IsFinite(s.Final.Mean)).OrderBy(s => s.WallSeconds.Mean).ToList();
        if (frontier.Count > 0)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (var i = 0; i < frontier.Count; i++)
            {
                if (i > 0)
                {
                    xs.Add(frontier[i].WallSeconds.Mean);
                    ys.Add(frontier[i - 1].Final.Mean);
                }
                xs.Add(frontier[i].WallSeconds.Mean);
                ys.Add(frontier[i].Final.Mean);
            }
            var steps = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), Colors.Black);
            steps.LinePattern = LinePattern.Dashed;
            steps.LineWidth = 1.5f;
            steps.MarkerSize = 0;
            steps.LegendText = "Pareto frontier";
        }

        foreach (var recipe in recipes)
        {
            var mine = result.Summaries.Where(s => s.Recipe == recipe && double.IsFinite(s.Final.Mean)).ToList();
            if (mine.Count == 0) continue;
            var color = ColorOf(recipe, recipes);
            var xs = mine.Select(s => s.WallSeconds.Mean).ToArray();
            var ys = mine.Select(s => s.Final.Mean).ToArray();
            var bars = plot.Add.ErrorBar(xs, ys, mine.Select(s => s.Final.Std).ToArray());
            bars.XErrorPositive = mine.Select(s => s.WallSeconds.Std).ToArray();
            bars.XErrorNegative = mine.Select(s => s.WallSeconds.Std).ToArray();
            bars.Color = color;
            var markers = plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, 8, color);
            markers.LegendText = recipe;
            var onFrontier = mine.Where(s => s.OnParetoFrontier).ToList();
            if (onFrontier.Count > 0)
                plot.Add.Markers(onFrontier.Select(s => s.WallSeconds.Mean).ToArray(), onFrontier.Select(s => s.Final.Mean).ToArray(), MarkerShape.OpenCircle, 14, Colors.Black);
        }

        var target = plot.Add.HorizontalLine(result.Target, 1, Colors.Gray, LinePattern.Dotted);
        target.LegendText = $"target {result.Target.ToString("0.####", CultureInfo.InvariantCulture)}";
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    /// <summary>
    /// Bars of the final metric (mean ± one standard deviation over seeds) of each (recipe, budget)
    /// of <paramref name="result"/>, labelled with the recipe and its mean training time, and the
    /// target as a dotted line: an ablation (a recipe against the recipe minus each technique, at one
    /// budget) reads as one bar per variant.
    /// </summary>
    /// <param name="result">The study.</param>
    public static Plot Bars(StudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = result.Options;
        var recipes = options.Recipes.ToList();
        var summaries = result.Summaries;
        var plot = new Plot();
        plot.Title($"final {options.Metric} per recipe (mean ± std over seeds)");
        plot.YLabel(options.Metric);
        var bars = summaries.Select((s, i) => new Bar
        {
            Position = i,
            Value = double.IsFinite(s.Final.Mean) ? s.Final.Mean : 0,
            Error = double.IsFinite(s.Final.Std) ? s.Final.Std : 0,
            FillColor = ColorOf(s.Recipe, recipes),
        }).ToList();
        plot.Add.Bars(bars);
        var ticks = summaries.Select((s, i) => new Tick(i, $"{s.Recipe} {s.Budget}\n{s.WallSeconds.Mean.ToString("0.#", CultureInfo.InvariantCulture)} s")).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        var finite = summaries.Select(s => s.Final.Mean).Where(double.IsFinite).Append(result.Target).ToList();
        var spread = summaries.Select(s => s.Final.Std).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        var (low, high) = (finite.Min() - spread, finite.Max() + spread);
        var pad = Math.Max(1e-6, (high - low) * 0.15);
        plot.Axes.SetLimitsY(low - pad, high + pad);
        plot.Add.HorizontalLine(result.Target, 1, Colors.Gray, LinePattern.Dotted);
        return plot;
    }

    /// <summary>
    /// Saves <see cref="Curves"/> as <c>{name}.png</c> and <c>{name}.svg</c> (and, when
    /// <paramref name="bars"/> is true, <see cref="Bars"/> as <c>{name}-bars.png</c> and
    /// <c>{name}-bars.svg</c>) into <paramref name="folder"/> (created if needed); each file is written
    /// to a temporary name and renamed into place. Returns the paths written.
    /// </summary>
    /// <param name="result">The study.</param>
    /// <param name="folder">The output folder.</param>
    /// <param name="name">The file name stem (default <c>study</c>).</param>
    /// <param name="bars">Whether to write the bar chart too (default false).</param>
    /// <param name="width">Image width in pixels (200 to 8000, default 900).</param>
    /// <param name="height">Image height in pixels (150 to 8000, default 560).</param>
    /// <exception cref="ArgumentException">The name is empty or has path characters, or a size is outside its range.</exception>
    public static IReadOnlyList<string> Write(StudyResult result, string folder, string name = "study", bool bars = false, int width = 900, int height = 560)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('/') || name.Contains('\\'))
            throw new ArgumentException($"The file name stem '{name}' is invalid; expected a non-empty name without path separators.", nameof(name));
        if (width is < 200 or > 8000) throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be in [200, 8000] pixels.");
        if (height is < 150 or > 8000) throw new ArgumentOutOfRangeException(nameof(height), height, "The height must be in [150, 8000] pixels.");
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        Save(Curves(result), Path.Combine(folder, name), width, height, written);
        if (bars) Save(Bars(result), Path.Combine(folder, name + "-bars"), width, height, written);
        return written;
    }

    private static void Save(Plot plot, string stem, int width, int height, List<string> written)
    {
        foreach (var extension in new[] { ".png", ".svg" })
        {
            var path = stem + extension;
            var temporary = path + ".tmp" + extension;
            try
            {
                if (extension == ".png") plot.SavePng(temporary, width, height);
                else plot.SaveSvg(temporary, width, height);
                File.Move(temporary, path, overwrite: true);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
            written.Add(path);
        }
    }

    private static Color ColorOf(string recipe, List<string> recipes) => Color.FromHex(Palette[Math.Max(0, recipes.IndexOf(recipe)) % Palette.Length]);
}
