using System;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Linq;
using Efficient.Training;

namespace Efficient.Samples;

/// <summary>
/// The samples' command lines on System.CommandLine: typed options with the samples' validation
/// messages, and the options every sample shares, defined once. Shared by the samples (linked into
/// each project).
/// </summary>
internal static class SampleCommandLine
{
    /// <summary>An integer option that must be positive: "NAME must be a positive integer, got 'X'".</summary>
    public static Option<int> PositiveInt(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => ParsePositive(r, name) ?? 0,
    };

    /// <summary>As <see cref="PositiveInt"/>, absent by default.</summary>
    public static Option<int?> OptionalPositiveInt(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => ParsePositive(r, name),
    };

    /// <summary>A positive duration in ep, ba, sp or tok: "NAME must be a positive duration like 2ep, 300ba or 1e5sp, got 'X'".</summary>
    public static Option<Duration> PositiveDuration(string name, string description, Duration defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => ParseDuration(r, name, r.Tokens.Count > 0 ? r.Tokens[0].Value : "") ?? defaultValue,
    };

    /// <summary>A whole number (a seed): "NAME must be an integer, got 'X'".</summary>
    public static Option<long> Integer(string name, string description, long defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
            r.AddError($"{name} must be an integer, got '{text}'");
            return defaultValue;
        },
    };

    /// <summary>A text option (a path, a name), absent by default.</summary>
    public static Option<string?> Text(string name, string description) => new(name) { Description = description };

    /// <summary>An on/off switch.</summary>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>Parses a duration token, adding the sample's message to <paramref name="result"/> when it is not a positive duration.</summary>
    public static Duration? ParseDuration(ArgumentResult result, string name, string text)
    {
        if (Duration.TryParse(text, out var duration) && duration.Unit != TimeUnit.Duration && duration.Value > 0) return duration;
        result.AddError($"{name} must be a positive duration like 2ep, 300ba or 1e5sp, got '{text}'");
        return null;
    }

    /// <summary>
    /// Parses <paramref name="args"/> with <paramref name="command"/>: null when <c>--help</c> was asked
    /// (the caller prints it with <see cref="ShowHelp"/>), the parse result otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">The command line is invalid; the message is the first error.</exception>
    public static ParseResult? Parse(RootCommand command, string[] args)
    {
        var parsed = command.Parse(args);
        if (parsed.Action is HelpAction) return null;
        if (parsed.Errors.Count > 0) throw new ArgumentException(parsed.Errors[0].Message);
        return parsed;
    }

    /// <summary>Prints <paramref name="command"/>'s help to standard output (exit code 0).</summary>
    public static int ShowHelp(RootCommand command) => command.Parse(new[] { "--help" }).Invoke();

    private static int? ParsePositive(ArgumentResult result, string name)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0) return value;
        result.AddError($"{name} must be a positive integer, got '{text}'");
        return null;
    }
}

/// <summary>The options the ResNet and BERT samples share, defined once.</summary>
internal sealed class CommonOptions
{
    public CommonOptions(string recipes, Duration maxDuration, int batchSize)
    {
        Recipe = new Option<string>("--recipe") { Description = $"the recipe: {recipes}", DefaultValueFactory = _ => "baseline" };
        MaxDuration = SampleCommandLine.PositiveDuration("--max-duration", "how long to train, e.g. 2ep, 300ba, 1e5sp", maxDuration);
        Seed = SampleCommandLine.Integer("--seed", "the run's seed", 42);
        CheckpointDir = SampleCommandLine.Text("--checkpoint-dir", "where checkpoints go (one per epoch; Ctrl+C saves one too)");
        Resume = SampleCommandLine.Flag("--resume", "continue from the latest checkpoint in --checkpoint-dir");
        BatchSize = SampleCommandLine.PositiveInt("--batch-size", "samples per batch", batchSize);
        Threads = SampleCommandLine.OptionalPositiveInt("--threads", "intra-op threads (default: the processor count)");
        Data = SampleCommandLine.Text("--data", "where the data set lives (default: Debian's package folder)");
        NoProgress = SampleCommandLine.Flag("--no-progress", "no progress bar");
        StopAfter = SampleCommandLine.OptionalPositiveInt("--stop-after", "stop as Ctrl+C does (checkpoint saved) after this many batches in total");
        SaveModel = SampleCommandLine.Text("--save-model", "save the trained weights to this file");
        TensorBoard = SampleCommandLine.Text("--tensorboard", "write TensorBoard event files (loss, learning rate, metrics) to this folder");
    }

    public Option<string> Recipe { get; }
    public Option<Duration> MaxDuration { get; }
    public Option<long> Seed { get; }
    public Option<string?> CheckpointDir { get; }
    public Option<bool> Resume { get; }
    public Option<int> BatchSize { get; }
    public Option<int?> Threads { get; }
    public Option<string?> Data { get; }
    public Option<bool> NoProgress { get; }
    public Option<int?> StopAfter { get; }
    public Option<string?> SaveModel { get; }
    public Option<string?> TensorBoard { get; }

    /// <summary>Adds the shared options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Recipe, MaxDuration, Seed, CheckpointDir, Resume, BatchSize, Threads, Data, NoProgress, StopAfter, SaveModel, TensorBoard })
            command.Add(option);
    }

    /// <summary>The recipe, checked against <paramref name="names"/>; and --resume needs --checkpoint-dir.</summary>
    public string CheckedRecipe(ParseResult parsed, string[] names)
    {
        var recipe = parsed.GetValue(Recipe)!;
        if (!names.Contains(recipe)) throw new ArgumentException($"unknown recipe '{recipe}'; available: {string.Join(", ", names)}");
        if (parsed.GetValue(Resume) && parsed.GetValue(CheckpointDir) is null) throw new ArgumentException("--resume needs --checkpoint-dir");
        return recipe;
    }
}
