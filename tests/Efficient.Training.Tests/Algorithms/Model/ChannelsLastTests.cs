using System.IO;
using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Model.ModelTestRuns;

namespace Efficient.Training.Tests.Algorithms.Model;

public class ChannelsLastTests
{
    [Fact]
    public void OutputsEqualTheContiguousModelAndParametersKeepTheirIdentity()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var model = SmallResNet();
        model.eval();
        var x = randn(2, 3, 8, 8);
        var expected = model.call(x).Values();
        var parameters = model.parameters().ToList();

        ChannelsLast.Apply(model).Should().Be(7, "the stem and the six 3x3 convs; 1x1 shortcut weights are already both layouts");
        model.parameters().Should().Equal(parameters, (a, b) => ReferenceEquals(a, b));
        model.parameters().Where(p => p.dim() == 4).Should().OnlyContain(p => ChannelsLast.IsChannelsLast(p));
        var input = ChannelsLast.ToChannelsLast(x);
        ChannelsLast.IsChannelsLast(input).Should().BeTrue();
        model.call(input).Values().ShouldBeClose(expected, 1e-5, 1e-5);
        ChannelsLast.Apply(model).Should().Be(0, "already channels-last");
    }

    private sealed class LayoutRecorder : ITrainingCallback
    {
        public bool AllChannelsLast { get; private set; } = true;
        public int Seen { get; private set; }

        public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
        {
            if (trainingEvent != TrainingEvent.BeforeForward) return;
            Seen++;
            AllChannelsLast &= ChannelsLast.IsChannelsLast(state.Batch!.Input);
        }
    }

    [Fact]
    public void TrainerConvertsModelAndBatches()
    {
        var (x, y) = Images(8, 8);
        using var model = SmallResNet(width: 4);
        var recorder = new LayoutRecorder();
        var options = Options(model, x, y, max: "2ba");
        options.Algorithms.Add(new ChannelsLastAlgorithm());
        options.Callbacks.Add(recorder);
        var result = new Trainer(options).Fit();
        result.SurgeryReport.Should().Equal("ChannelsLast: replaced 0 modules; converted 7 4-D parameters to channels-last");
        recorder.Seen.Should().Be(2);
        recorder.AllChannelsLast.Should().BeTrue();
        model.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>());
    }

    [Fact]
    public void AChannelsLastModelSavesLoadsAndResumesKeepingItsLayout()
    {
        var (x, y) = Images(8, 8);
        var folder = Path.Combine(Path.GetTempPath(), "et-cl-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var model = SmallResNet(width: 4);
            var options = Options(model, x, y, max: "2ba");
            options.Algorithms.Add(new ChannelsLastAlgorithm());
            options.Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9);   // momentum buffers follow the channels-last layout
            options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("1ba") };
            new Trainer(options).Fit();

            var file = Path.Combine(folder, "weights.bin");
            ModelFile.Save(model, file);
            using var other = SmallResNet(width: 4);
            ChannelsLast.Apply(other);
            ModelFile.Load(other, file);
            other.parameters().Where(p => p.dim() == 4).Should().OnlyContain(p => ChannelsLast.IsChannelsLast(p), "loading keeps the layout");
            foreach (var ((name, a), (_, b)) in model.named_parameters().Zip(other.named_parameters()))
                a.SameValues(b).Should().BeTrue(name);

            using var resumed = SmallResNet(width: 4);
            var again = Options(resumed, x, y, max: "3ba");
            again.Algorithms.Add(new ChannelsLastAlgorithm());
            again.Optimizer = p => optim.SGD(p, learningRate: 0.1, momentum: 0.9);
            again.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("1ba") };
            new Trainer(again).Fit().Timestamp.Batch.Should().Be(3, "the run resumed from batch 2");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void LoadingAMissingOrForeignFileNamesTheFile()
    {
        var file = Path.Combine(Path.GetTempPath(), "et-foreign-" + Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            using var model = SmallResNet(width: 4);
            FluentActions.Invoking(() => ModelFile.Load(model, file)).Should().Throw<FileNotFoundException>().WithMessage($"*'{file}'*");
            File.WriteAllText(file, "not a model");
            FluentActions.Invoking(() => ModelFile.Load(model, file)).Should().Throw<InvalidDataException>()
                .WithMessage($"ModelFile.Load: '{file}' is not a state dictionary of this *; expected a file written by ModelFile.Save or Module.save for the same architecture.");
            using var other = SmallResNet(width: 8);
            ModelFile.Save(other, file);
            FluentActions.Invoking(() => ModelFile.Load(model, file)).Should().Throw<InvalidDataException>().WithMessage($"*'{file}'*");
        }
        finally
        {
            if (File.Exists(file)) File.Delete(file);
        }
    }
}
