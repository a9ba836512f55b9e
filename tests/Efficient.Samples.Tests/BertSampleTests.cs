using System;
using System.IO;
using System.Linq;
using System.Threading;
using BertSample;
using FluentAssertions;
using Xunit;

namespace Efficient.Samples.Tests;

public sealed class BertSampleTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bert-sample-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    // A small corpus (600 quotations), a 300-piece vocabulary and short sequences keep the tests fast.
    private string[] QuickArgs(string max) => new[]
    {
        "--max-duration", max, "--corpus-limit", "600", "--vocab-size", "300", "--seq-length", "32", "--batch-size", "8",
        "--eval-limit", "16", "--work-dir", Path.Combine(_dir, "work"), "--no-progress", "--threads", "1",
    };

    private SampleOptions Quick(string max) => Program.Parse(QuickArgs(max));

    [Theory]
    [InlineData("baseline")]
    [InlineData("recipe")]
    public void TheShippedRecipeFilesAreTheCSharpRecipes(string name)
    {
        var file = Path.Combine(SampleProcess.RepositoryRoot(), "samples", "Bert", "recipes", name + ".json");
        var fromFile = Recipes.FromFile(file);
        var code = Recipes.Create(name);
        fromFile.ScaleScheduleRatio.Should().Be(code.ScaleScheduleRatio);
        fromFile.Algorithms.Select(a => a.GetType()).Should().Equal(code.Algorithms.Select(a => a.GetType()));
        var built = Program.Run(Quick("3ba") with { Recipe = name }, TextWriter.Null);
        var loaded = Program.Run(Quick("3ba") with { RecipeFile = file }, TextWriter.Null);
        loaded.Timestamp.Batch.Should().Be(built.Timestamp.Batch);
        foreach (var (metric, value) in built.Metrics) loaded.Metrics[metric].Should().BeApproximately(value, 1e-4 * Math.Max(1, Math.Abs(value)), metric);
    }

    [Theory]
    [InlineData("baseline")]
    [InlineData("recipe")]
    public void PretrainsTwoBatchesAndReportsLossAndPerplexity(string recipe)
    {
        var log = new StringWriter();
        // The recipe's scale-schedule ratio shortens its run (rounding up).
        var batches = recipe == "recipe" ? (long)Math.Ceiling(2 * Recipes.RecipeRatio) : 2;
        var result = Program.Run(Quick("2ba") with { Recipe = recipe }, log);
        result.Timestamp.Batch.Should().Be(batches);
        result.Metrics["loss"].Should().BeInRange(0.5, 10, "the MLM loss of a barely trained model is near ln(300) ≈ 5.7");
        result.Metrics["perplexity"].Should().BeApproximately(Math.Exp(result.Metrics["loss"]), 1e-9);
        log.ToString().Should().Contain($"recipe {recipe}").And.Contain("vocabulary of 300 pieces")
            .And.Contain($"pre-training done: reached the maximum duration {batches}ba; {batches} batches, validation MLM loss", "the log shows the scaled duration");
        if (recipe == "recipe") log.ToString().Should().Contain("GatedLinearUnits").And.Contain("Alibi");
    }

    [Fact]
    public void TheVocabularyIsCachedInTheWorkFolder()
    {
        var first = new StringWriter();
        Program.Run(Quick("1ba"), first);
        first.ToString().Should().Contain("trained and saved to");
        Directory.GetFiles(Path.Combine(_dir, "work"), "vocab-300-*.txt").Should().ContainSingle();
        var second = new StringWriter();
        Program.Run(Quick("1ba"), second);
        second.ToString().Should().Contain("read from");
    }

    [Fact]
    public void MaskingIsAFunctionOfSeedAndEpoch()
    {
        var options = Quick("1ba");
        using var corpus = Program.LoadCorpus(options, TextWriter.Null);
        var data = new MaskedLanguageModelData(corpus.Train, corpus.Tokenizer, 8, seed: 3);
        var a = data.GetEpoch(1).Skip(2).First();
        var b = data.GetEpoch(1, skipBatches: 2).First();
        a.Input.equal(b.Input).all().item<bool>().Should().BeTrue("a resumed epoch sees the same masked batch");
        a.Target.equal(b.Target).all().item<bool>().Should().BeTrue();
        var other = data.GetEpoch(2, skipBatches: 2).First();
        other.Input.equal(a.Input).all().item<bool>().Should().BeFalse("another epoch is shuffled and masked afresh");
        var predicted = a.Target.ne(-100).sum().item<long>();
        predicted.Should().BeGreaterThan(0);
        a.Input.shape.Should().Equal(8, 32);
    }

    [Fact]
    public void FineTunesTwoBatchesAndReportsAccuracy()
    {
        var log = new StringWriter();
        var args = QuickArgs("2ba").Concat(new[] { "--finetune", "--finetune-duration", "2ba", "--categories", "computers,people,science" }).ToArray();
        var result = Program.Run(Program.Parse(args), log);
        result.Timestamp.Batch.Should().Be(2);
        result.Metrics["test_accuracy"].Should().BeInRange(0, 1);
        result.Metrics["accuracy"].Should().BeInRange(0, 1);
        log.ToString().Should().Contain("pre-training done").And.Contain("fine-tuning: which of computers, people, science")
            .And.Contain("fine-tuning done: reached the maximum duration 2ba; 2 batches, validation accuracy").And.Contain("test accuracy");
    }

    [Fact]
    public void FineTunesASavedEncoderOfTheRecipe()
    {
        var encoder = Path.Combine(_dir, "encoder.bin");
        Program.Run(Quick("1ba") with { Recipe = "recipe", SaveModel = encoder }, TextWriter.Null);
        var log = new StringWriter();
        var args = QuickArgs("1ba").Concat(new[] { "--recipe", "recipe", "--finetune", "--encoder", encoder, "--finetune-duration", "2ba" }).ToArray();
        var result = Program.Run(Program.Parse(args), log);
        log.ToString().Should().Contain($"encoder loaded from '{encoder}'").And.NotContain("pre-training done");
        result.Metrics["test_accuracy"].Should().BeInRange(0, 1);
    }

    [Fact]
    public void CancellationSavesACheckpointAndResumeContinues()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel(); // as Ctrl+C does: stop after the first batch
        var checkpoints = Path.Combine(_dir, "checkpoints");
        var options = Quick("3ba") with { CheckpointDir = checkpoints };
        var log = new StringWriter();
        var stopped = Program.Run(options, log, cts.Token);
        stopped.StopReason.Should().Be("cancelled");
        log.ToString().Should().Contain("--resume to continue");
        File.ReadAllText(Path.Combine(checkpoints, "latest")).Should().Be("ep0-ba1");

        var again = () => Program.Run(options, TextWriter.Null);
        again.Should().Throw<InvalidOperationException>().WithMessage("*already holds checkpoints; pass --resume*");
        var resumed = Program.Run(options with { Resume = true }, TextWriter.Null);
        resumed.Timestamp.Batch.Should().Be(3);
    }

    [Fact]
    public void AResumedRecipeRunInAFreshProcessEndsWithTheUninterruptedRunsWeights()
    {
        // The recipe changes the model (GLU) and shortens sequences; masks are drawn per epoch: stop after
        // 2 of 6 batches (8ba scaled by 0.75) in one process, resume in another, and compare with an uninterrupted run.
        var total = (long)Math.Ceiling(8 * Recipes.RecipeRatio);
        var common = QuickArgs("8ba").Concat(new[] { "--recipe", "recipe" }).ToArray();
        var checkpoints = Path.Combine(_dir, "checkpoints");
        var first = SampleProcess.Run("Bert", common.Concat(new[] { "--checkpoint-dir", checkpoints, "--stop-after", "2" }).ToArray());
        first.Should().Contain("pre-training done: cancelled; 2 batches");
        File.ReadAllText(Path.Combine(checkpoints, "latest")).Should().Be("ep0-ba2");
        var resumedModel = Path.Combine(_dir, "resumed.bin");
        SampleProcess.Run("Bert", common.Concat(new[] { "--checkpoint-dir", checkpoints, "--resume", "--save-model", resumedModel }).ToArray())
            .Should().Contain($"pre-training done: reached the maximum duration {total}ba; {total} batches");
        var straightModel = Path.Combine(_dir, "straight.bin");
        SampleProcess.Run("Bert", common.Concat(new[] { "--save-model", straightModel }).ToArray());
        File.ReadAllBytes(resumedModel).Should().Equal(File.ReadAllBytes(straightModel), "the resumed run ends with the uninterrupted run's weights, bit for bit");
    }

    [Fact]
    public void TheStudyComparesBaselineAndRecipeOnValidationLoss()
    {
        var options = Program.Parse(QuickArgs("2ba").Concat(new[] { "--study", "--seeds", "0", "--eval-interval", "1ba", "--baseline-budgets", "1ba,2ba" }).ToArray());
        var log = new StringWriter();
        var result = Program.RunStudy(options, log);
        result.Runs.Select(r => (r.Spec.Recipe, r.Spec.Budget.ToString())).Should().Equal(("baseline", "1ba"), ("baseline", "2ba"), ("recipe", "2ba"));
        result.Runs.Should().OnlyContain(r => double.IsFinite(r.Final("loss")));
        result.Target.Should().Be(result.Runs[1].Final("loss"), "the target is the baseline's final validation loss at its longest budget");
        File.Exists(Path.Combine(_dir, "work", "study", "study.md")).Should().BeTrue();
        log.ToString().Should().Contain("study: baseline 2ba seed 0: loss");
    }

    [Theory]
    [InlineData(new[] { "--recipe", "nope" }, "unknown recipe 'nope'; available: baseline, recipe")]
    [InlineData(new[] { "--max-duration", "0.5dur" }, "--max-duration must be a positive duration like 2ep, 300ba or 1e5sp, got '0.5dur'")]
    [InlineData(new[] { "--finetune-duration", "x" }, "--finetune-duration must be a positive duration like 2ep, 300ba or 1e5sp, got 'x'")]
    [InlineData(new[] { "--resume" }, "--resume needs --checkpoint-dir")]
    [InlineData(new[] { "--batch-size", "0" }, "--batch-size must be a positive integer, got '0'")]
    [InlineData(new[] { "--corpus-limit", "-5" }, "--corpus-limit must be a positive integer, got '-5'")]
    [InlineData(new[] { "--seq-length", "4" }, "--seq-length must be at least 8, got '4'")]
    [InlineData(new[] { "--vocab-size", "50" }, "--vocab-size must be more than 100, got '50'")]
    [InlineData(new[] { "--encoder", "e.bin" }, "--encoder needs --finetune")]
    [InlineData(new[] { "--study", "--baseline-budgets", "2ba,0ba" }, "--baseline-budgets must be a positive duration like 2ep, 300ba or 1e5sp, got '0ba'")]
    [InlineData(new[] { "--recipe-budgets", "2ba" }, "--baseline-budgets and --recipe-budgets need --study")]
    [InlineData(new[] { "--categories", "computers" }, "--categories needs at least two distinct fortune files, comma-separated")]
    [InlineData(new[] { "--seeds", "1,x" }, "--seeds must be comma-separated integers, got '1,x'")]
    [InlineData(new[] { "--study", "--finetune" }, "--study cannot be combined with --finetune, --checkpoint-dir or --recipe-file")]
    [InlineData(new[] { "--seed" }, "Required argument missing for option: '--seed'.")]
    [InlineData(new[] { "--bogus" }, "Unrecognized command or argument '--bogus'.")]
    public void RejectsBadOptions(string[] args, string message)
    {
        var act = () => Program.Parse(args);
        act.Should().Throw<ArgumentException>().WithMessage(message);
    }
}
