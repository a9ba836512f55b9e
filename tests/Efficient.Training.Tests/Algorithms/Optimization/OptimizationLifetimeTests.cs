using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Optimization.OptimizationReference;

namespace Efficient.Training.Tests.Algorithms.Optimization;

public class OptimizationLifetimeTests
{
    [Fact]
    public void TheFunctionalFormsLeakNoTensorOverAThousandSteps()
    {
        var (x, y) = RefData();
        using var model = new Net();
        using (var scope = NewDisposeScope()) nn.functional.cross_entropy(model.call(x), y).backward();
        using var shadow = ShadowWeights.Of(model);
        using var average = ShadowWeights.Of(model, includeBuffers: false);
        using var sgd = optim.SGD(model.parameters(), 0.0, momentum: 0.9);
        using var lars = new Efficient.Training.Optimizers.Lars(model.parameters(), lr: 0);
        var factors = model.named_parameters().Select(p => ((Tensor)p.parameter, 0.5)).ToList();
        sgd.step();   // creates the momentum buffers
        lars.step();
        var before = LiveTensors.Count();
        for (var i = 0; i < 1000; i++)
        {
            using var scope = NewDisposeScope();
            Ema.Update(shadow, model, 0.99);
            shadow.SwapIn(model);
            shadow.SwapOut(model);
            Swa.UpdateAverage(average, model, i);
            using (var perturbation = Sam.Perturb(model.parameters(), 0.05)) perturbation.Restore();
            GradientClipping.Apply(model, ClippingType.Norm, 1e6);
            GradientClipping.Apply(model, ClippingType.Value, 1e6);
            GradientClipping.Apply(model, ClippingType.Adaptive, 1e6);
            Efficient.Training.Optimizers.Lars.AdaptGradients(sgd, mode: i % 2 == 0 ? LarsMode.Clip : LarsMode.Scale, trustCoefficient: 1, weightDecay: 0);
            Efficient.Training.Optimizers.Lars.TrustRatio(model.parameters().First(), model.parameters().First().grad!).Dispose();
            LayerwiseLrDecay.ScaledStep(factors, () => sgd.step());
            lars.step();
        }
        var after = LiveTensors.Count();
        (after - before).Should().BeLessThan(50);
    }
}
