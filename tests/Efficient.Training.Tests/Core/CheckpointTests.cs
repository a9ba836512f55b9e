using System.IO;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Core;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "et-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static TrainerOptions Make(Mlp model, Tensor x, Tensor y, string? folder)
    {
        var options = Options(model, x, y, batchSize: 16, max: "3ep");
        options.Optimizer = p => optim.AdamW(p, lr: 0.01, weight_decay: 0.01);
        options.Schedulers = (opt, state) => new[] { optim.lr_scheduler.CosineAnnealingLR(opt, 18) };
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("4ba"), KeepLast = 2 };
        return options;
    }

    [Fact]
    public void InterruptedAndResumedRunEqualsUninterruptedToTheBit()
    {
        var (x, y) = Data(n: 96);

        // Uninterrupted (dropout makes the RNG state part of what must be restored); interrupted after batch 7 (mid-epoch),
        // then a fresh process-like trainer resumes.
        manual_seed(11);
        using var runs = ResumeHarness.Run(() => new Mlp(dropout: 0.3), (model, folder) => Make(model, x, y, folder), interruptAt: 7,
            resumedModel: () =>
            {
                manual_seed(999); // the resumed run must not depend on the ambient RNG
                return new Mlp(dropout: 0.3);
            },
            sameInitialWeights: true);
        var (reference, full) = (runs.Uninterrupted.Model, runs.Uninterrupted.Result);
        full.Timestamp.Batch.Should().Be(18);

        var stopped = runs.Interrupted.Result;
        stopped.StopReason.Should().Be("cancelled");
        stopped.Timestamp.Batch.Should().Be(7);

        var (second, resumed) = (runs.Resumed.Model, runs.Resumed.Result);
        resumed.Timestamp.Should().BeEquivalentTo(full.Timestamp, o => o.Excluding(t => t.TotalWallClock));

        var expected = Weights(reference);
        var actual = Weights(second);
        foreach (var (name, w) in expected) actual[name].Should().Equal(w, $"{name} must be bit-identical after resume");
        resumed.Metrics["accuracy"].Should().Be(full.Metrics["accuracy"]);
    }

    [Fact]
    public void KeepsTheLastKCheckpointsAndAPointerToTheLatest()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        new Trainer(Make(model, x, y, _folder)).Fit();
        Directory.GetDirectories(_folder).Select(Path.GetFileName).Should().BeEquivalentTo("ep2-ba16", "ep3-ba18");
        File.ReadAllText(Path.Combine(_folder, "latest")).Should().Be("ep3-ba18");
        Directory.GetFiles(_folder).Select(Path.GetFileName).Should().Equal("latest");
    }

    [Fact]
    public void ACorruptCheckpointGivesAClearErrorAndLeavesTheFilesAlone()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        var options = Make(model, x, y, _folder);
        options.MaxDuration = Duration.Parse("4ba");
        new Trainer(options).Fit();
        var model_bin = Path.Combine(_folder, "ep0-ba4", "model.bin");
        var bytes = File.ReadAllBytes(model_bin);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(model_bin, bytes);

        using var other = new Mlp();
        var resume = () => new Trainer(Make(other, x, y, _folder)).Fit();
        resume.Should().Throw<Exception>().Which.Message.Should().Contain("model.bin");
        File.ReadAllBytes(model_bin).Should().Equal(bytes, "a failed resume must not touch the checkpoint");
    }

    [Fact]
    public void ACheckpointFromOtherAlgorithmsIsRejected()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        var options = Make(model, x, y, _folder);
        options.MaxDuration = Duration.Parse("4ba");
        new Trainer(options).Fit();

        using var other = new Mlp();
        var changed = Make(other, x, y, _folder);
        changed.Algorithms.Add(new Named("Extra"));
        var resume = () => new Trainer(changed).Fit();
        resume.Should().Throw<InvalidDataException>().WithMessage("Cannot resume from checkpoint '*ep0-ba4': it was written with algorithms [] but this trainer has [Extra].");
    }

    [Fact]
    public void AMissingManifestMeansAnIncompleteCheckpoint()
    {
        var (x, y) = Data(n: 96);
        using var model = new Mlp();
        var options = Make(model, x, y, _folder);
        options.MaxDuration = Duration.Parse("4ba");
        new Trainer(options).Fit();
        File.Delete(Path.Combine(_folder, "ep0-ba4", "trainer.json"));
        using var other = new Mlp();
        var resume = () => new Trainer(Make(other, x, y, _folder)).Fit();
        resume.Should().Throw<InvalidDataException>().WithMessage("Checkpoint '*ep0-ba4' is incomplete: 'trainer.json' is missing; expected a folder written by the Trainer.");
    }

    private sealed class Named : IAlgorithm
    {
        public Named(string name) => Name = name;
        public string Name { get; }
    }
}
