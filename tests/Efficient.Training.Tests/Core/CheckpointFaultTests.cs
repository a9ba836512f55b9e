using System.Collections.Generic;
using System.IO;
using System.Text;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Core;

/// <summary>
/// Faults around checkpoints (docs/reliability.md): damaged files, unwritable folders, what an
/// interrupted write leaves, NaN metrics, a checkpoint of another run, and what resume reports.
/// </summary>
public sealed class CheckpointFaultTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "et-fault-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private TrainerOptions Make(Mlp model, Tensor x, Tensor y, string max = "4ba", int batchSize = 16)
    {
        var options = Options(model, x, y, batchSize, max);
        options.Optimizer = p => optim.AdamW(p, lr: 0.01, weight_decay: 0.01);
        options.Checkpoint = new CheckpointOptions { Folder = _folder, Interval = Duration.Parse("2ba") };
        return options;
    }

    private string TrainFourBatches(Tensor x, Tensor y)
    {
        using var model = new Mlp();
        new Trainer(Make(model, x, y)).Fit();
        return Path.Combine(_folder, "ep0-ba4");
    }

    public static TheoryData<string> Damages => new() { "flipped", "truncated", "empty", "text" };

    [Theory]
    [MemberData(nameof(Damages))]
    public void EveryDamagedFileOfACheckpointIsRefusedByName(string damage)
    {
        var (x, y) = Data(n: 96);
        var checkpoint = TrainFourBatches(x, y);
        var files = Directory.GetFiles(checkpoint).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        files.Should().Equal("model.bin", "optimizer.bin", "t0.bin", "t1.bin", "trainer.json", "trainer.json.sha256");
        foreach (var name in files)
        {
            var path = Path.Combine(checkpoint, name!);
            var original = File.ReadAllBytes(path);
            var damaged = Damage(original, damage);
            File.WriteAllBytes(path, damaged);

            using var other = new Mlp();
            var resume = () => new Trainer(Make(other, x, y, max: "6ba")).Fit();
            var error = resume.Should().Throw<InvalidDataException>($"{damage} {name}").Which.Message;
            var named = name == "trainer.json.sha256" ? "trainer.json" : name!;   // a damaged checksum file makes the manifest fail its check
            error.Should().Contain($"'{named}'").And.Contain(checkpoint).And.Contain("delete this checkpoint folder to resume from the one before it");
            File.ReadAllBytes(path).Should().Equal(damaged, "a refused resume leaves the checkpoint as it found it");
            File.WriteAllBytes(path, original);
        }
    }

    [Fact]
    public void DeletingTheDamagedLatestCheckpointResumesFromTheOneBefore()
    {
        var (x, y) = Data(n: 96);
        var latest = TrainFourBatches(x, y);
        Directory.Delete(latest, recursive: true);
        using var other = new Mlp();
        var trainer = new Trainer(Make(other, x, y, max: "6ba"));
        trainer.Fit().Timestamp.Batch.Should().Be(6);
        trainer.State!.ResumeReport.Should().Be($"resumed from ep0-ba2 in '{_folder}'");
    }

    [Fact]
    public void NonFiniteMetricsAreCheckpointedAndRestored()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        var options = Make(model, x, y);
        options.EvalInterval = Duration.Parse("2ba");
        options.Metrics = new List<IMetric> { new Fixed("nan", double.NaN), new Fixed("inf", double.PositiveInfinity), new Fixed("ninf", double.NegativeInfinity), new Fixed("one", 1.5) };
        new Trainer(options).Fit();
        File.ReadAllText(Path.Combine(_folder, "ep0-ba4", "trainer.json")).Should().Contain("\"nan\": \"NaN\"").And.Contain("\"inf\": \"Infinity\"");

        using var other = new Mlp();
        var resumed = Make(other, x, y, max: "4ba");
        resumed.Metrics = options.Metrics;
        var trainer = new Trainer(resumed);
        var result = trainer.Fit();
        result.StopReason.Should().Be("reached the maximum duration 4ba");
        double.IsNaN(trainer.State!.Metrics["nan"]).Should().BeTrue();
        trainer.State.Metrics["inf"].Should().Be(double.PositiveInfinity);
        trainer.State.Metrics["ninf"].Should().Be(double.NegativeInfinity);
        trainer.State.Metrics["one"].Should().Be(1.5);
    }

    [Fact]
    public void AnUnwritableCheckpointFolderFailsBeforeTheFirstBatchNamingTheOption()
    {
        var (x, y) = Data(n: 96);
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "not a folder");
        foreach (var bad in new[] { file, Path.Combine(file, "under") })
        {
            using var model = new Mlp();
            var options = Make(model, x, y);
            options.Checkpoint!.Folder = bad;
            var batches = new CountBatches();
            options.Callbacks.Add(batches);
            var fit = () => new Trainer(options).Fit();
            fit.Should().Throw<IOException>().WithMessage($"TrainerOptions.Checkpoint.Folder '{bad}' cannot be written (*); expected a folder this process can create files in. Nothing was trained.");
            batches.Count.Should().Be(0);
        }
    }

    [Fact]
    public void WhatAKilledWriteLeftIsRemovedAtTheNextStartAndReported()
    {
        var (x, y) = Data(n: 96);
        TrainFourBatches(x, y);
        Directory.CreateDirectory(Path.Combine(_folder, ".tmp-ep0-ba6-0123456789abcdef"));
        File.WriteAllText(Path.Combine(_folder, ".tmp-ep0-ba6-0123456789abcdef", "model.bin"), "half");
        File.WriteAllText(Path.Combine(_folder, "latest.tmp-0123456789abcdef"), "ep0-ba6");
        using var other = new Mlp();
        var trainer = new Trainer(Make(other, x, y, max: "6ba"));
        trainer.Fit();
        trainer.State!.ResumeReport.Should().Be($"resumed from ep0-ba4 in '{_folder}' (removed 2 unfinished checkpoint write(s) of an interrupted run)");
        Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName).Should().NotContain(n => n!.Contains(".tmp-")).And.Contain("latest").And.Contain("ep0-ba6");
    }

    [Fact]
    public void ResumeSaysWhatItDid()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        var first = new Trainer(Make(model, x, y));
        first.Fit();
        first.State!.ResumeReport.Should().Be($"no checkpoint in '{_folder}': starting fresh");

        using var other = new Mlp();
        var options = Make(other, x, y, max: "6ba");
        options.Checkpoint!.AutoResume = false;
        options.Checkpoint.Folder = Path.Combine(_folder, "other");
        var fresh = new Trainer(options);
        fresh.Fit();
        fresh.State!.ResumeReport.Should().Be($"not resuming (CheckpointOptions.AutoResume is false): starting fresh, checkpoints go to '{options.Checkpoint.Folder}'");
        var none = new Trainer(new TrainerOptions { Model = other, Optimizer = p => optim.SGD(p, 0.1), TrainData = new TensorTrainingData(x, y, 16), MaxDuration = Duration.Batches(1) });
        none.Fit();
        none.State!.ResumeReport.Should().BeNull("without checkpointing there is nothing to report");
    }

    [Theory]
    [InlineData("seed", "seed 7 (this run: 8)")]
    [InlineData("batch", "batch size 16 (this run: 12), 6 batches per epoch (this run: 8)")]
    [InlineData("samples", "96 training samples per epoch (this run: 80), 6 batches per epoch (this run: 5)")]
    public void ACheckpointOfAnotherRunIsRefusedUnlessAllowed(string change, string differences)
    {
        var (x, y) = Data(n: 96);
        TrainFourBatches(x, y);
        TrainerOptions Changed(Mlp m)
        {
            var o = change switch
            {
                "batch" => Make(m, x, y, max: "6ba", batchSize: 12),
                "samples" => Make(m, x.narrow(0, 0, 80), y.narrow(0, 0, 80), max: "6ba"),
                _ => Make(m, x, y, max: "6ba"),
            };
            if (change == "seed") o.Seed = 8;
            return o;
        }

        using var other = new Mlp();
        var refused = () => new Trainer(Changed(other)).Fit();
        refused.Should().Throw<InvalidDataException>().WithMessage(
            $"Cannot resume from checkpoint '{Path.Combine(_folder, "ep0-ba4")}': it was written by a run with {differences}; resume with the same settings, choose another checkpoint folder, or set CheckpointOptions.AllowDifferentRun to continue from it anyway.");

        using var third = new Mlp();
        var allowed = Changed(third);
        allowed.Checkpoint!.AllowDifferentRun = true;
        var trainer = new Trainer(allowed);
        trainer.Fit().Timestamp.Batch.Should().Be(6);
        trainer.State!.ResumeReport.Should().Be($"resumed from ep0-ba4 in '{_folder}'; its run differed ({differences}) and CheckpointOptions.AllowDifferentRun let it continue");
    }

    [Fact]
    public void AnEmptyTrainingSetAndANullOptimizerAreRefusedClearly()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        var empty = Options(model, x.narrow(0, 0, 0), y.narrow(0, 0, 0));
        var build = () => new Trainer(empty);
        build.Should().Throw<OptionsValidationException>().WithMessage("*TrainData*0 samples in 0 batches per epoch*training data with at least one batch per epoch*");

        var nullOptimizer = Options(model, x, y);
        nullOptimizer.Optimizer = _ => null!;
        var fit = () => new Trainer(nullOptimizer).Fit();
        fit.Should().Throw<InvalidOperationException>().WithMessage("TrainerOptions.Optimizer returned null; expected an optimizer built from the parameters it is given, e.g. p => optim.SGD(p, 0.1).");

        var silent = Options(model, x, y);
        silent.TrainData = new NoBatches();
        var spin = () => new Trainer(silent).Fit();
        spin.Should().Throw<InvalidOperationException>().WithMessage("The training data gave no batch in epoch 0; expected at least one*");
    }

    private static byte[] Damage(byte[] original, string how) => how switch
    {
        "flipped" => original.Select((b, i) => i == original.Length / 2 ? (byte)(b ^ 0x5A) : b).ToArray(),
        "truncated" => original[..(original.Length / 2)],
        "empty" => Array.Empty<byte>(),
        _ => Encoding.UTF8.GetBytes("this is not a checkpoint file\n"),
    };

    private sealed class Fixed : IMetric
    {
        private readonly double _value;

        public Fixed(string name, double value) => (Name, _value) = (name, value);

        public string Name { get; }

        public bool HigherIsBetter => true;

        public void Reset()
        {
        }

        public void Update(Tensor outputs, Tensor target, double meanLoss)
        {
        }

        public double Compute() => _value;
    }

    private sealed class CountBatches : ITrainingCallback
    {
        public int Count { get; private set; }

        public void OnEvent(TrainingEvent e, TrainingState state)
        {
            if (e == TrainingEvent.BatchStart) Count++;
        }
    }

    // A source of unknown size that yields nothing (an external reader whose file is empty).
    private sealed class NoBatches : ITrainingData
    {
        public long? BatchesPerEpoch => null;

        public long? SamplesPerEpoch => null;

        public IEnumerable<Batch> GetEpoch(long epoch, long skipBatches = 0) => Enumerable.Empty<Batch>();
    }
}
