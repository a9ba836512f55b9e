using System.Collections.Generic;
using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Algorithms.Data;

public sealed class CurriculumAlgorithmTests
{
    private sealed class IndexRecorder : ITrainingCallback
    {
        public List<long[]> Batches { get; } = new();

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent == TrainingEvent.BatchStart) Batches.Add(state.Batch!.Indices!.contiguous().data<long>().ToArray());
        }
    }

    private static readonly CurriculumOptions Schedule = new() { Pacing = CurriculumPacingKind.FixedRoot, TotalSteps = 10, MinFraction = 0.25, RootDegree = 2 };

    [Fact]
    public void AGivenDifficultyServesTheCurriculumDataSourceBatchForBatch()
    {
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 48);
        using var difficulty = arange(48, 0, -1, dtype: ScalarType.Float32); // sample 47 is the easiest
        using var model = new Mlp();
        var recorder = new IndexRecorder();
        var options = SgdMlpRun(model, x, y, "2ep", new CurriculumAlgorithm(new CurriculumAlgorithmOptions { Schedule = Schedule, Difficulty = difficulty }));
        options.Callbacks.Add(recorder);
        new Trainer(options).Fit();

        // The same source built by hand (batch size and seed of the replaced TensorTrainingData).
        var source = new CurriculumTrainingData(x, y, difficulty, 8, Schedule, seed: 3);
        var expected = Enumerable.Range(0, 2).SelectMany(e => source.GetEpoch(e)).Select(b => b.Indices!.data<long>().ToArray()).ToList();
        recorder.Batches.Should().HaveCount(12);
        for (var i = 0; i < 12; i++) recorder.Batches[i].Should().Equal(expected[i], $"batch {i}");
        // Step 0 allows ceil(0.25 * 48) = 12 samples: the 12 with the lowest difficulty (indices 36..47).
        recorder.Batches[0].Should().OnlyContain(i => i >= 36);
    }

    [Fact]
    public void LossBasedDifficultyIsTheModelsPerSampleLossAtTheFirstEpoch()
    {
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 48);
        var initial = InitialMlpWeights();
        using var reference = new Mlp();
        reference.load_state_dict(initial);
        using var expected = CurriculumTrainingData.LossScores(reference, x, y);

        using var model = new Mlp();
        model.load_state_dict(initial);
        var algorithm = new CurriculumAlgorithm(new CurriculumAlgorithmOptions { Schedule = Schedule });
        new Trainer(SgdMlpRun(model, x, y, "1ep", algorithm)).Fit();
        algorithm.Difficulty!.shape.Should().Equal(48);
        Floats(algorithm.Difficulty).Should().Equal(Floats(expected));
    }

    [Theory]
    [InlineData(0, 9)]
    [InlineData(1, 9)]
    [InlineData(1, 12)] // at an epoch boundary, where the difficulty is re-scored
    public void AResumedRunEqualsTheUninterruptedOne(int rescoreEveryEpochs, long interruptAt)
    {
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 48);
        var initial = InitialMlpWeights();
        CurriculumAlgorithmOptions Curriculum() => new() { Schedule = Schedule, RescoreEveryEpochs = rescoreEveryEpochs };

        Mlp Model()
        {
            var model = new Mlp();
            model.load_state_dict(initial);
            return model;
        }

        TrainerOptions Run(Mlp model, string? folder)
        {
            var options = SgdMlpRun(model, x, y, "3ep", new CurriculumAlgorithm(Curriculum()));
            if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("1ba") };
            return options;
        }

        using var runs = ResumeHarness.Run(Model, Run, interruptAt);
        var (reference, expected) = (runs.Uninterrupted.Model, runs.Uninterrupted.Result);
        runs.Interrupted.Result.StopReason.Should().Be("cancelled");
        var (second, resumed) = (runs.Resumed.Model, runs.Resumed.Result);

        resumed.Timestamp.Batch.Should().Be(expected.Timestamp.Batch);
        var want = Weights(reference);
        var got = Weights(second);
        foreach (var (name, w) in want) got[name].Should().Equal(w, $"{name} must be bit-identical after resume");
    }

    [Fact]
    public void ADifficultyOfTheWrongLengthIsAClearError()
    {
        var (x, y) = Efficient.Training.Tests.Core.TestModels.Data(n: 48);
        using var model = new Mlp();
        using var difficulty = zeros(40);
        var act = () => new Trainer(SgdMlpRun(model, x, y, "1ep", new CurriculumAlgorithm(new CurriculumAlgorithmOptions { Difficulty = difficulty }))).Fit();
        act.Should().Throw<InvalidOperationException>().WithMessage("Curriculum: the Difficulty has 40 values but the training data has 48 samples; expected one value per sample.");
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new CurriculumAlgorithmOptions().Validate();
        using var difficulty = zeros(4, 2);
        var act = () => new CurriculumAlgorithm(new CurriculumAlgorithmOptions
        {
            Schedule = new CurriculumOptions { TotalSteps = 0 },
            Difficulty = difficulty,
            RescoreEveryEpochs = 2,
            ScoreBatchSize = 0,
        });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "CurriculumAlgorithmOptions is invalid: Property Schedule: Property TotalSteps: 0 is invalid; expected an integer >= 1. " +
            "Property Difficulty: a tensor of shape [4, 2] is invalid; expected null or one value per sample (shape [n]). " +
            "Property RescoreEveryEpochs: 2 is invalid; expected 0 when Difficulty is given (only loss-based difficulty is re-scored). " +
            "Property ScoreBatchSize: 0 is invalid; expected an integer >= 1.");
    }
}
