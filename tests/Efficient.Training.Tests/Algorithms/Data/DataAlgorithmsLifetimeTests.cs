using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;

namespace Efficient.Training.Tests.Algorithms.Data;

public class DataAlgorithmsLifetimeTests
{
    [Fact]
    public void TheFunctionalFormsLeakNoTensorOverAThousandSteps()
    {
        using var images = rand(4, 3, 12, 12);
        using var masks = randint(0, 3, new long[] { 4, 12, 12 });
        using var tokens = randint(0, 11, new long[] { 4, 16 });
        var (x, y) = TestModels.Data(n: 8);
        using var mlp = new TestModels.Mlp();
        using var g = new Generator(3);
        var before = LiveTensors.Count();
        for (var i = 0; i < 1000; i++)
        {
            using var scope = NewDisposeScope();
            CutOut.Apply(images, 2, 0.5, g);
            ColOut.Apply(new Batch(images, masks), 0.15, 0.15, g);
            ProgressiveResizing.Apply(new Batch(images, masks), 8, 8, ResizeMode.Resize, g);
            ProgressiveResizing.Apply(new Batch(images, masks), 8, 8, ResizeMode.Crop, g);
            SeqLengthWarmup.Truncate(new Batch(tokens, tokens, 64), 8);
            SeqLengthWarmup.Reshape(new Batch(tokens, tokens, 64), 8);
            var losses = SelectiveBackprop.PerSampleLosses(mlp, new Batch(x, y), SelectiveBackprop.CrossEntropyPerSample);
            SelectiveBackprop.Keep(new Batch(x, y), SelectiveBackprop.SelectIndices(losses, 0.5, g));
        }
        var after = LiveTensors.Count();
        (after - before).Should().BeLessThan(50);
    }
}
