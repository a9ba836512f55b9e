using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Data;

public class ColOutTests
{
    [Fact]
    public void KeepsTheGivenRowsAndColumns()
    {
        using var input = arange(32, dtype: ScalarType.Float32).reshape(2, 1, 4, 4);
        using var rows = tensor(new long[] { 0, 2, 3 });
        using var cols = tensor(new long[] { 1, 3 });
        using var result = ColOut.Apply(input, rows, cols);
        result.shape.Should().Equal(2, 1, 3, 2);
        Floats(result).Should().Equal(1, 3, 9, 11, 13, 15, 17, 19, 25, 27, 29, 31);
    }

    [Fact]
    public void DrawsComposersCountsSortedAndDistinct()
    {
        using var g = new Generator(5);
        var (rows, cols) = ColOut.DrawKept(10, 20, 0.15, 0.15, g);
        var r = Longs(rows);
        var c = Longs(cols);
        r.Should().HaveCount(8).And.BeInAscendingOrder().And.OnlyHaveUniqueItems().And.OnlyContain(v => v >= 0 && v < 10);
        c.Should().HaveCount(17).And.BeInAscendingOrder().And.OnlyHaveUniqueItems().And.OnlyContain(v => v >= 0 && v < 20);

        using var g2 = new Generator(5);
        var (rows2, cols2) = ColOut.DrawKept(10, 20, 0.15, 0.15, g2);
        Longs(rows2).Should().Equal(r);
        Longs(cols2).Should().Equal(c);
    }

    [Fact]
    public void DenseTargetsLoseTheSameRowsAndColumnsClassTargetsAreKept()
    {
        using var input = rand(2, 3, 10, 10);
        using var mask = arange(200, dtype: ScalarType.Int64).reshape(2, 10, 10);
        using var g1 = new Generator(9);
        var dense = ColOut.Apply(new Batch(input, mask), 0.2, 0.3, g1);
        dense.Input.shape.Should().Equal(2, 3, 8, 7);
        dense.Target.shape.Should().Equal(2, 8, 7);
        using var g2 = new Generator(9);
        var (rows, cols) = ColOut.DrawKept(10, 10, 0.2, 0.3, g2);
        Longs(dense.Target).Should().Equal(Longs(ColOut.Apply(mask, rows, cols)));
        Floats(dense.Input).Should().Equal(Floats(ColOut.Apply(input, rows, cols)));

        using var labels = tensor(new long[] { 1, 2 });
        var classes = ColOut.Apply(new Batch(input, labels), 0.2, 0.3, g1);
        classes.Target.Should().BeSameAs(labels);
    }

    [Fact]
    public void InsideATwoBatchRunImagesShrinkAndAreDeterministic()
    {
        var (x, y) = Images(8, 10);
        using var m1 = new PoolNet();
        using var m2 = new PoolNet();
        var a = Run(m1, x, y, new ColOutAlgorithm(new ColOutOptions()), batchSize: 4);
        var b = Run(m2, x, y, new ColOutAlgorithm(new ColOutOptions()), batchSize: 4);
        a.Should().HaveCount(2);
        foreach (var (input, target) in a)
        {
            input.shape.Should().Equal(4, 3, 8, 8);
            target.shape.Should().Equal(4);
        }
        // Every kept pixel is one of the original pixels of that image.
        var first = Floats(a[0].input[0][0]);
        var original = Floats(x[0][0]);
        first.Should().OnlyContain(v => original.Contains(v));
        Floats(a[1].input).Should().Equal(Floats(b[1].input));
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new ColOutOptions().Validate();
        var act = () => new ColOutAlgorithm(new ColOutOptions { PRow = 1, PCol = -0.5 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "ColOutOptions is invalid: Property PRow: 1 is invalid; expected a value in [0, 1). Property PCol: -0.5 is invalid; expected a value in [0, 1).");
    }
}
