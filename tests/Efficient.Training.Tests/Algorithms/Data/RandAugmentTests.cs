using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Data;

public class RandAugmentTests
{
    private static System.Text.Json.JsonElement Ref(string name)
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_augment.json");
        using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(path));
        return doc.RootElement.GetProperty(name).Clone();
    }

    private static Tensor Input() => (Formula(new long[] { 2, 3, 6, 8 }) + 1) / 2;

    private static Tensor PerImage(string name) => tensor(Doubles(Ref(name)).Select(v => (float)v).ToArray());

    private static void ShouldMatch(Tensor actual, string name)
    {
        actual.shape.Should().Equal(2, 3, 6, 8);
        var expected = Doubles(Ref(name));
        var got = Floats(actual);
        got.Should().HaveCount(expected.Length);
        for (var i = 0; i < got.Length; i++)
            got[i].Should().BeApproximately((float)expected[i], 1e-5f, $"{name}[{i}] should match PyTorch");
    }

    [Fact]
    public void ColorOperationsMatchPyTorch()
    {
        using var x = Input();
        using var f = PerImage("enhance_factor");
        using (var y = RandAugment.AutoContrast(x * 0.5 + 0.2)) ShouldMatch(y, "autocontrast");
        using (var bits = PerImage("posterize_bits"))
        using (var y = RandAugment.Posterize(x, bits)) ShouldMatch(y, "posterize");
        using (var thr = PerImage("solarize_threshold"))
        using (var y = RandAugment.Solarize(x, thr)) ShouldMatch(y, "solarize");
        using (var y = RandAugment.Color(x, f)) ShouldMatch(y, "color");
        using (var y = RandAugment.Contrast(x, f)) ShouldMatch(y, "contrast");
        using (var y = RandAugment.Brightness(x, f)) ShouldMatch(y, "brightness");
        using (var y = RandAugment.Sharpness(x, f)) ShouldMatch(y, "sharpness");
    }

    [Fact]
    public void GeometricOperationsMatchPyTorch()
    {
        using var x = Input();
        using var deg = PerImage("rotate_degrees");
        using var shear = PerImage("shear");
        using var t = PerImage("translate");
        using (var y = RandAugment.Rotate(x, deg)) ShouldMatch(y, "rotate");
        using (var y = RandAugment.ShearX(x, shear)) ShouldMatch(y, "shear_x");
        using (var y = RandAugment.ShearY(x, shear)) ShouldMatch(y, "shear_y");
        using (var y = RandAugment.TranslateX(x, t)) ShouldMatch(y, "translate_x");
        using (var y = RandAugment.TranslateY(x, t)) ShouldMatch(y, "translate_y");
    }

    [Fact]
    public void EqualizeMatchesPilsAlgorithmOnEightBitLevels()
    {
        // Rebuilt exactly as in Reference/generate_techniques_equalize.py.
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_equalize.json");
        using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(path));
        var expected = doc.RootElement.GetProperty("equalize_levels").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        using var x = (Formula(new long[] { 3, 3, 32, 32 }) + 1) / 2;
        x.narrow(0, 1, 1).narrow(1, 0, 1).fill_(0.5);
        var twoLevels = x.narrow(0, 2, 1).narrow(1, 1, 1);
        twoLevels.copy_(where(twoLevels.gt(0.5), full_like(twoLevels, 0.9), full_like(twoLevels, 0.1)));
        var skewed = x.narrow(0, 2, 1).narrow(1, 2, 1);
        skewed.copy_(skewed * skewed);

        using var y = RandAugment.Equalize(x);
        y.shape.Should().Equal(3, 3, 32, 32);
        var levels = Floats(y * 255).Select(v => (long)Math.Round(v)).ToArray();
        levels.Should().Equal(expected);
        Floats(y * 255).Zip(levels).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 1e-3, "the output is level / 255");

        // The constant channel (step 0) is the identity on levels; the others really change.
        using var q = (x.clamp(0, 1) * 255).floor();
        Floats(y.narrow(0, 1, 1).narrow(1, 0, 1) * 255).Select(v => (long)Math.Round(v)).Should().OnlyContain(v => v == 127);
        Floats(y.narrow(0, 0, 1) * 255).Select(v => (long)Math.Round(v)).Should().NotEqual(Floats(q.narrow(0, 0, 1)).Select(v => (long)v));
        using var level = tensor(new float[] { 5, 5, 5 });
        using var sign = tensor(new float[] { 1, 1, 1 });
        using var viaLevel = RandAugment.ApplyAtLevel(AugmentationOp.Equalize, x, level, sign);
        Floats(viaLevel).Should().Equal(Floats(y));
    }

    [Fact]
    public void RotatingANinetyDegreesTurnsTheImageCounterClockwise()
    {
        // 5 x 5 image of distinct values: +90° (torch.rot90) moves the right column to the top row.
        using var x = arange(25, dtype: ScalarType.Float32).view(1, 1, 5, 5) / 25;
        using var deg = tensor(new float[] { 90 });
        using var y = RandAugment.Rotate(x, deg);
        var input = Floats(x);
        var got = Floats(y);
        for (var r = 0; r < 5; r++)
            for (var c = 0; c < 5; c++)
                got[r * 5 + c].Should().BeApproximately(input[c * 5 + (4 - r)], 1e-5f, $"output ({r}, {c}) is input ({c}, {4 - r})");
    }

    [Fact]
    public void EveryOperationKeepsTheShapeAndTheRange()
    {
        using var x = Input();
        using var level = tensor(new float[] { 9, 3 });
        using var sign = tensor(new float[] { 1, -1 });
        foreach (var op in RandAugment.Ops(AugmentationSet.All))
        {
            using var y = RandAugment.ApplyAtLevel(op, x, level, sign);
            y.shape.Should().Equal(2, 3, 6, 8);
            y.min().ToSingle().Should().BeGreaterThanOrEqualTo(0f, op.ToString());
            y.max().ToSingle().Should().BeLessThanOrEqualTo(1f, op.ToString());
        }
        RandAugment.Ops(AugmentationSet.All).Should().HaveCount(13);
        RandAugment.Ops(AugmentationSet.Safe).Should().HaveCount(9).And.Contain(AugmentationOp.Equalize).And.NotContain(AugmentationOp.Color);
    }

    [Fact]
    public void TheSameGeneratorSeedGivesTheSameAugmentation()
    {
        using var x = (Formula(new long[] { 6, 3, 8, 8 }) + 1) / 2;
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        using var g3 = new Generator(6);
        using var a = RandAugment.Augment(x, depth: 2, severity: 9, generator: g1);
        using var b = RandAugment.Augment(x, depth: 2, severity: 9, generator: g2);
        using var c = RandAugment.Augment(x, depth: 2, severity: 9, generator: g3);
        Floats(a).Should().Equal(Floats(b));
        Floats(a).Should().NotEqual(Floats(c));
        Floats(a).Should().NotEqual(Floats(x));
    }

    [Fact]
    public void InsideATwoBatchRunTheImagesChangeAndTargetsAreKept()
    {
        var (x, y) = Images(8, 6);
        x = (x - 1).DetachFromDisposeScope(); // images in [0, 1)
        using var model = new PoolNet();
        var batches = Run(model, x, y, new RandAugmentAlgorithm(new RandAugmentOptions()), batchSize: 4);
        batches.Should().HaveCount(2);
        for (var b = 0; b < 2; b++)
        {
            var (input, target) = batches[b];
            input.shape.Should().Equal(4, 3, 6, 6);
            Longs(target).Should().Equal(Longs(y.narrow(0, 4 * b, 4)));
            Floats(input).Should().NotEqual(Floats(x.narrow(0, 4 * b, 4)));
        }
    }

    [Fact]
    public void RunsAreDeterministicForASeed()
    {
        var (x, y) = Images(8, 6);
        using var m1 = new PoolNet();
        using var m2 = new PoolNet();
        var a = Run(m1, x, y, new RandAugmentAlgorithm(), batchSize: 4, seed: 3);
        var b = Run(m2, x, y, new RandAugmentAlgorithm(), batchSize: 4, seed: 3);
        Floats(a[1].input).Should().Equal(Floats(b[1].input));
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new RandAugmentOptions().Validate();
        var act = () => new RandAugmentAlgorithm(new RandAugmentOptions { Severity = 11, Depth = 0, AugmentationSet = (AugmentationSet)5 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "RandAugmentOptions is invalid: Property Severity: 11 is invalid; expected an integer in [0, 10]. Property Depth: 0 is invalid; expected an integer >= 1. Property AugmentationSet: 5 is invalid; expected All or Safe.");
    }
}
