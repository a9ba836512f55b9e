using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Data;

public class AugMixTests
{
    private static System.Text.Json.JsonElement Ref(string name)
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_augment.json");
        using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(path));
        return doc.RootElement.GetProperty(name).Clone();
    }

    private static Tensor Floats(string name) => tensor(Doubles(Ref(name)).Select(v => (float)v).ToArray());

    [Fact]
    public void MixingExplicitChainsMatchesPyTorch()
    {
        using var x = (Formula(new long[] { 2, 3, 6, 8 }) + 1) / 2;
        using var f = Floats("enhance_factor");
        using var deg = Floats("rotate_degrees");
        using var bits = Floats("posterize_bits");
        using var thr = Floats("solarize_threshold");
        using var c0 = RandAugment.Brightness(x, f);
        using var c1 = RandAugment.Rotate(x, deg);
        using var p = RandAugment.Posterize(x, bits);
        using var c2 = RandAugment.Solarize(p, thr);
        using var w = Floats("augmix_weights").view(2, 3);
        using var m = Floats("augmix_m");
        using var result = AugMix.Mix(x, new[] { c0, c1, c2 }, w, m);
        var expected = Doubles(Ref("augmix"));
        var got = DataTestRuns.Floats(result);
        got.Should().HaveCount(expected.Length);
        for (var i = 0; i < got.Length; i++)
            got[i].Should().BeApproximately((float)expected[i], 1e-5f, $"augmix[{i}] should match PyTorch");
    }

    [Fact]
    public void GammaDrawsHaveTheRightMean()
    {
        var rng = new Random(1);
        foreach (var shape in new[] { 0.5, 1.0, 3.0 })
        {
            var mean = Enumerable.Range(0, 20000).Select(_ => AugMix.Gamma(rng, shape)).Average();
            mean.Should().BeApproximately(shape, 0.05 * shape + 0.02, $"Gamma({shape}) has mean {shape}");
        }
    }

    [Fact]
    public void TheSameGeneratorSeedGivesTheSameAugmentationWithinTheRange()
    {
        using var x = (Formula(new long[] { 4, 3, 8, 8 }) + 1) / 2;
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        using var g3 = new Generator(6);
        using var a = AugMix.Augment(x, generator: g1);
        using var b = AugMix.Augment(x, generator: g2);
        using var c = AugMix.Augment(x, generator: g3);
        DataTestRuns.Floats(a).Should().Equal(DataTestRuns.Floats(b));
        DataTestRuns.Floats(a).Should().NotEqual(DataTestRuns.Floats(c));
        a.shape.Should().Equal(4, 3, 8, 8);
        a.min().ToSingle().Should().BeGreaterThanOrEqualTo(0f);
        a.max().ToSingle().Should().BeLessThanOrEqualTo(1f + 1e-6f);
    }

    [Fact]
    public void InsideATwoBatchRunTheImagesChangeAndTargetsAreKept()
    {
        var (x, y) = Images(8, 6);
        x = (x - 1).DetachFromDisposeScope(); // images in [0, 1)
        using var model = new PoolNet();
        var batches = Run(model, x, y, new AugMixAlgorithm(new AugMixOptions()), batchSize: 4);
        batches.Should().HaveCount(2);
        for (var b = 0; b < 2; b++)
        {
            var (input, target) = batches[b];
            input.shape.Should().Equal(4, 3, 6, 6);
            Longs(target).Should().Equal(Longs(y.narrow(0, 4 * b, 4)));
            DataTestRuns.Floats(input).Should().NotEqual(DataTestRuns.Floats(x.narrow(0, 4 * b, 4)));
        }
    }

    [Fact]
    public void RunsAreDeterministicForASeed()
    {
        var (x, y) = Images(8, 6);
        using var m1 = new PoolNet();
        using var m2 = new PoolNet();
        var a = Run(m1, x, y, new AugMixAlgorithm(new AugMixOptions { Depth = 2 }), batchSize: 4, seed: 3);
        var b = Run(m2, x, y, new AugMixAlgorithm(new AugMixOptions { Depth = 2 }), batchSize: 4, seed: 3);
        DataTestRuns.Floats(a[1].input).Should().Equal(DataTestRuns.Floats(b[1].input));
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new AugMixOptions().Validate();
        var act = () => new AugMixAlgorithm(new AugMixOptions { Severity = -1, Depth = 0, Width = 0, Alpha = 0, AugmentationSet = (AugmentationSet)7 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "AugMixOptions is invalid: Property Severity: -1 is invalid; expected an integer in [0, 10]. Property Depth: 0 is invalid; expected -1 (random 1 to 3) or an integer >= 1. Property Width: 0 is invalid; expected an integer >= 1. Property Alpha: 0 is invalid; expected a finite value > 0. Property AugmentationSet: 7 is invalid; expected All or Safe.");
    }
}
