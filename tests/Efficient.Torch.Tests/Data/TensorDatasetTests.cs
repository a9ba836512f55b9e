using System.Collections.Generic;
using Efficient.Torch.Modules;

namespace Efficient.Torch.Tests.Data;

public class TensorDatasetTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public TensorDatasetTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    [Fact]
    public void SamplesAreRowsOfEachTensor()
    {
        using var scope = NewDisposeScope();
        var x = arange(12, ScalarType.Float32).reshape(4, 3);
        var y = arange(4, ScalarType.Int64);
        using var ds = utils.data.TensorDataset(x, y);
        ds.Count.Should().Be(4);
        var sample = ds.GetTensor(2);
        sample[0].data<float>().ToArray().Should().Equal(6, 7, 8);
        sample[1].item<long>().Should().Be(2);
        ds[3][1].item<long>().Should().Be(3);
    }

    [Fact]
    public void DifferentFirstDimensionsAreRejectedWithBothShapes()
    {
        using var scope = NewDisposeScope();
        var act = () => utils.data.TensorDataset(zeros(10, 3), zeros(8));
        act.Should().Throw<ArgumentException>()
            .WithMessage("TensorDataset: all tensors must have the same size in dimension 0, but tensor 0 has 10 rows (shape [10, 3]) and tensor 1 has 8 (shape [8])*")
            .Which.ParamName.Should().Be("tensors");
    }

    [Fact]
    public void EmptyZeroDimensionalAndOutOfRangeAreRejected()
    {
        using var scope = NewDisposeScope();
        var none = () => utils.data.TensorDataset();
        none.Should().Throw<ArgumentException>().WithMessage("TensorDataset needs at least one tensor*");
        var scalar = () => utils.data.TensorDataset(tensor(1.0f));
        scalar.Should().Throw<ArgumentException>().WithMessage("*0-dimensional*");
        using var ds = utils.data.TensorDataset(zeros(3));
        var outside = () => ds.GetTensor(3);
        outside.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[0, 3)*");
    }

    [Fact]
    public void TheIndexSelectFastPathMatchesStackingSamples()
    {
        using var scope = NewDisposeScope();
        var x = randn(37, 2, 3);
        var y = randint(0, 10, new long[] { 37 });
        using var ds = utils.data.TensorDataset(x, y);

        static IList<Tensor> StackCollate(IEnumerable<IList<Tensor>> samples, Device device)
        {
            var list = samples.ToList();
            return new List<Tensor> { stack(list.Select(s => s[0])), stack(list.Select(s => s[1])) };
        }

        using var fast = new IterableDataLoader(ds, 8, shuffle: true, seed: 3, num_worker: 2, disposeDataset: false);
        using var slow = new DataLoader<IList<Tensor>, IList<Tensor>>(ds, 8, StackCollate, shuffle: true, seed: 3, num_worker: 2, disposeDataset: false);
        var a = fast.Select(b => (b[0].data<float>().ToArray(), b[0].shape, b[1].data<long>().ToArray())).ToList();
        var b = slow.Select(b => (b[0].data<float>().ToArray(), b[0].shape, b[1].data<long>().ToArray())).ToList();
        a.Should().HaveCount(5);
        for (var i = 0; i < a.Count; i++)
        {
            a[i].Item1.Should().Equal(b[i].Item1);
            a[i].shape.Should().Equal(b[i].shape);
            a[i].Item3.Should().Equal(b[i].Item3);
        }
    }

    [Fact]
    public void FastPathBatchesOwnTheirStorage()
    {
        using var scope = NewDisposeScope();
        var x = zeros(6, 2);
        using var ds = utils.data.TensorDataset(x);
        using var loader = utils.data.DataLoader(ds, 3, disposeDataset: false);
        foreach (var batch in loader) batch[0].add_(1);
        x.sum().item<float>().Should().Be(0, "modifying a batch in place must not modify the dataset");
    }

    [Fact]
    public void FastPathGivesTheSameBatchesAsStackingSamples()
    {
        // The index_select fast path is a speed optimisation (measured in bench/, not here): it must
        // produce exactly what the generic per-sample path produces.
        using var scope = NewDisposeScope();
        var x = randn(512, 8);
        var y = arange(512, ScalarType.Int64);
        using var ds = utils.data.TensorDataset(x, y);

        static IList<Tensor> StackCollate(IEnumerable<IList<Tensor>> samples, Device device)
        {
            var list = samples.ToList();
            return new List<Tensor> { stack(list.Select(s => s[0])), stack(list.Select(s => s[1])) };
        }

        var fast = new IterableDataLoader(ds, 64, shuffle: true, seed: 1, num_worker: 0, disposeDataset: false, disposeBatch: false).ToList();
        var slow = new DataLoader<IList<Tensor>, IList<Tensor>>(ds, 64, StackCollate, shuffle: true, seed: 1, num_worker: 0, disposeDataset: false, disposeBatch: false).ToList();
        fast.Should().HaveCount(slow.Count);
        for (var i = 0; i < fast.Count; i++)
        {
            fast[i][0].equal(slow[i][0]).Should().BeTrue($"inputs of batch {i}");
            fast[i][1].equal(slow[i][1]).Should().BeTrue($"targets of batch {i}");
        }
    }
}
