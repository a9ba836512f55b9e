using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Model.TransformerRuns;

namespace Efficient.Training.Tests.Algorithms.Model;

public class TransformerLifetimeTests
{
    [Fact]
    public void TheEncoderAndTheFunctionalFormsLeakNoTensorOverAThousandSteps()
    {
        using var model = SmallBert(preLayerNorm: true, layers: 3);
        GatedLinearUnits.Apply(model);
        Alibi.Apply(model);
        var layers = ProgressiveLayerDrop.Apply(model);
        using var ids = randint(0, 11, new long[] { 2, 8 });
        using var mask = ones(2, 8);
        using var g = new Generator(3);
        var before = LiveTensors.Count();
        for (var i = 0; i < 1000; i++)
        {
            using var scope = NewDisposeScope();
            var p = ProgressiveLayerDrop.KeepProbabilities(layers.LayerCount, ProgressiveLayerDrop.Theta(i, 0.5, 0.01));
            layers.Keep = ProgressiveLayerDrop.SampleKeep(p, g);
            layers.KeepProbabilities = p;
            model.forward(ids, mask).sum().backward();
            Alibi.ScaleSequenceLength(new Batch(ids, ids, 16), 0.5);
            Alibi.Bias(2, 8);
        }
        var after = LiveTensors.Count();
        (after - before).Should().BeLessThan(50);
    }
}
