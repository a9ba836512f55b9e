using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Data;

public class CutOutTests
{
    [Fact]
    public void ZeroesTheHandComputedSquaresClippedToTheImage()
    {
        using var input = ones(2, 2, 6, 6);
        // Sample 0: one hole at (1, 2) and one at (5, 5) (clipped); sample 1: holes at (4, 0) twice (overlap).
        using var cy = tensor(new long[] { 1, 5, 4, 4 }).reshape(2, 2);
        using var cx = tensor(new long[] { 2, 5, 0, 0 }).reshape(2, 2);
        using var result = CutOut.Apply(input, cy, cx, length: 3); // half = 1: rows [c-1, c+1)

        var expected = new float[2, 2, 6, 6];
        for (var b = 0; b < 2; b++)
            for (var c = 0; c < 2; c++)
                for (var y = 0; y < 6; y++)
                    for (var x = 0; x < 6; x++)
                        expected[b, c, y, x] = 1;
        void Hole(int b, int y0, int y1, int x0, int x1)
        {
            for (var c = 0; c < 2; c++)
                for (var y = y0; y < y1; y++)
                    for (var x = x0; x < x1; x++)
                        expected[b, c, y, x] = 0;
        }
        Hole(0, 0, 2, 1, 3);
        Hole(0, 4, 6, 4, 6);
        Hole(1, 3, 5, 0, 1);
        Floats(result).Should().Equal(expected.Cast<float>());
    }

    [Fact]
    public void HoleLengthIsAFractionOfTheShorterSideOrPixels()
    {
        CutOut.HoleLength(0.5, 6, 8).Should().Be(3);
        CutOut.HoleLength(0.3, 10, 20).Should().Be(3);
        CutOut.HoleLength(5, 6, 8).Should().Be(5);
    }

    [Fact]
    public void TheSameGeneratorSeedGivesTheSameHoles()
    {
        using var input = ones(4, 3, 8, 8);
        using var g1 = new Generator(11);
        using var g2 = new Generator(11);
        using var a = CutOut.Apply(input, numHoles: 2, length: 0.5, generator: g1);
        using var b = CutOut.Apply(input, numHoles: 2, length: 0.5, generator: g2);
        Floats(a).Should().Equal(Floats(b));
        // Each sample: between 1 and 2 holes of at most 4 x 4 pixels, the same in every channel.
        for (var i = 0; i < 4; i++)
        {
            var zeros = (long)(a[i] == 0).sum().ToInt64();
            zeros.Should().BeInRange(3 * 1, 3 * 2 * 16);
            Floats(a[i][0]).Should().Equal(Floats(a[i][2]));
        }
    }

    [Fact]
    public void InsideATwoBatchRunEveryImageGetsAHoleAndTargetsAreKept()
    {
        var (x, y) = Images(8, 6);
        using var model = new PoolNet();
        var batches = Run(model, x, y, new CutOutAlgorithm(new CutOutOptions { NumHoles = 1, Length = 0.5 }), batchSize: 4);
        batches.Should().HaveCount(2);
        for (var b = 0; b < 2; b++)
        {
            var (input, target) = batches[b];
            input.shape.Should().Equal(4, 3, 6, 6);
            Longs(target).Should().Equal(Longs(y.narrow(0, 4 * b, 4)));
            var original = x.narrow(0, 4 * b, 4);
            for (var i = 0; i < 4; i++)
            {
                var zeros = (input[i] == 0).sum().ToInt64();
                zeros.Should().BeInRange(3, 3 * 9); // a 3 x 3 hole (clipped), in all 3 channels
            }
            // Pixels outside the holes are untouched.
            var kept = input != 0;
            Floats(input.masked_select(kept)).Should().Equal(Floats(original.masked_select(kept)));
        }
    }

    [Fact]
    public void RunsAreDeterministicForASeed()
    {
        var (x, y) = Images(8, 6);
        using var m1 = new PoolNet();
        using var m2 = new PoolNet();
        var a = Run(m1, x, y, new CutOutAlgorithm(new CutOutOptions()), batchSize: 4, seed: 3);
        var b = Run(m2, x, y, new CutOutAlgorithm(new CutOutOptions()), batchSize: 4, seed: 3);
        Floats(a[1].input).Should().Equal(Floats(b[1].input));
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new CutOutOptions().Validate();
        var act = () => new CutOutAlgorithm(new CutOutOptions { NumHoles = 0, Length = -1 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "CutOutOptions is invalid: Property NumHoles: 0 is invalid; expected an integer >= 1. Property Length: -1 is invalid; expected a finite value > 0.");
    }
}
