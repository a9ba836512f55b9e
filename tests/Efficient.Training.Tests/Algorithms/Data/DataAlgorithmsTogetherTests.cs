using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Data;

public class DataAlgorithmsTogetherTests
{
    [Fact]
    public void TheImageAlgorithmsComposeInRegistrationOrderWithMicrobatches()
    {
        var (x, y) = Images(16, 20);
        using var model = new PoolNet();
        var recorder = new BatchRecorder();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.01),
            TrainData = new TensorTrainingData(x, y, 8, shuffle: false),
            MaxDuration = Duration.Parse("2ba"),
            Seed = 1,
            Microbatches = 2,
        };
        options.Algorithms.Add(new ProgressiveResizingAlgorithm(new ProgressiveResizingOptions()));          // 20 -> 8 (10 = 2.5 increments rounds to 2)
        options.Algorithms.Add(new ColOutAlgorithm(new ColOutOptions { PRow = 0.25, PCol = 0.25 }));           // 8 -> 6
        options.Algorithms.Add(new CutOutAlgorithm(new CutOutOptions()));
        options.Algorithms.Add(new SelectiveBackpropAlgorithm(new SelectiveBackpropOptions { Start = 0, End = 1, Interrupt = 0 })); // 8 -> 4
        options.Callbacks.Add(recorder);
        var trainer = new Trainer(options);
        trainer.Fit();

        recorder.Batches.Should().HaveCount(2);
        foreach (var (input, target) in recorder.Batches)
        {
            input.shape.Should().Equal(4, 3, 6, 6);
            target.shape.Should().Equal(4);
            (input == 0).sum().ToInt64().Should().BeGreaterThan(0);
        }
        trainer.DescribeLoop().Should().Contain("ProgressiveResizing -> ColOut -> CutOut -> SelectiveBackprop");
    }
}
