using System.Collections.Generic;
using Efficient.Torch.Modules;
using Efficient.Torch.Tests.Lifetime;

namespace Efficient.Torch.Tests.Data;

/// <summary>Reads the process-wide tensor counters, so it runs alone.</summary>
[Collection(SequentialCollection.Name)]
public class DataLoaderLifetimeTests
{
    private static (long managed, long native) Counts()
    {
        // Tensors other tests dropped without disposing are freed by finalizers, which would
        // otherwise change the native count in the middle of a measurement.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return (Tensor.TotalCount, Tensor.NativeLiveCount);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(4, false)]
    [InlineData(4, true)]
    public void BreakingMidEpochLeavesNoLiveTensors(int workers, bool tensorDataset)
    {
        using var scope = NewDisposeScope();
        using var data = tensorDataset ? (utils.data.IterableDataset)utils.data.TensorDataset(randn(500, 8), arange(500, ScalarType.Int64)) : new RangeDataset(500, delayMs: 1);
        using var loader = utils.data.DataLoader(data, 10, shuffle: true, seed: 1, num_worker: workers, disposeDataset: false);
        var before = Counts();
        var seen = 0;
        foreach (var batch in loader)
        {
            batch[1].shape.Should().Equal(10);
            if (++seen == 3) break;
        }
        seen.Should().Be(3);
        Counts().Should().Be(before, "stopping early stops the workers and frees the current and every prefetched batch");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void AFullEpochLeavesNoLiveTensors(int workers)
    {
        using var loader = utils.data.DataLoader(new RangeDataset(64), 5, num_worker: workers);
        var before = Counts();
        var batches = 0;
        foreach (var _ in loader) batches++;
        batches.Should().Be(13);
        Counts().Should().Be(before);
    }

    [Fact]
    public void AFailedEpochLeavesNoLiveTensors()
    {
        using var loader = utils.data.DataLoader(new RangeDataset(100, failAt: i => i == 50 ? new DatasetFailure("bad") : null), 4, num_worker: 4);
        var before = Counts();
        var act = () =>
        {
            foreach (var _ in loader) { }
        };
        act.Should().Throw<InvalidOperationException>();
        Counts().Should().Be(before);
    }

    [Fact]
    public void APerBatchDisposeScopeOwnsAndFreesEachBatch()
    {
        using var loader = utils.data.DataLoader(new RangeDataset(40), 4, num_worker: 3, disposeBatch: false);
        var before = Counts();
        using var e = loader.GetEnumerator();
        var batches = 0;
        while (true)
        {
            IList<Tensor> batch;
            using (var perBatch = NewDisposeScope())
            {
                if (!e.MoveNext()) break;
                batch = e.Current;
                batch.Should().OnlyContain(t => perBatch.Contains(t), "the batch is attached to the consumer's current scope, not to a worker's");
                using var loss = batch[0].sum();
                batches++;
            }
            batch.Should().OnlyContain(t => t.IsInvalid, "disposing the per-batch scope frees the batch");
        }
        batches.Should().Be(10);
        Counts().Should().Be(before);
    }

    [Fact]
    public void DisposeBatchFreesThePreviousBatchButNotTensorsTheConsumerTookOver()
    {
        using var loader = utils.data.DataLoader(new RangeDataset(12), 4, num_worker: 2);
        var before = Counts();
        Tensor? kept = null;
        var previous = new List<Tensor>();
        var index = 0;
        foreach (var batch in loader)
        {
            previous.Where(t => !t.IsInvalid).Should().BeEmpty("the loader disposes the previous batch when the next one is requested");
            previous = batch.ToList();
            if (index++ == 0)
            {
                kept = batch[0].DetachFromDisposeScope();
                previous.Remove(kept);
            }
        }
        kept!.IsInvalid.Should().BeFalse("a tensor detached by the consumer is the consumer's");
        kept.data<float>().ToArray().Should().Equal(0, -0f, 1, -1, 2, -2, 3, -3);
        kept.Dispose();
        Counts().Should().Be(before);
    }

    [Fact]
    public void BatchesGoToTheConsumersOuterScopeWhenTheLoopHasNone()
    {
        using var loader = utils.data.DataLoader(new RangeDataset(8), 4, num_worker: 2, disposeBatch: false);
        var before = Counts();
        using (var outer = NewDisposeScope())
        {
            foreach (var batch in loader)
                batch.Should().OnlyContain(t => outer.Contains(t));
        }
        Counts().Should().Be(before);
    }

    [Fact]
    public void ManyEpochsDoNotLeak()
    {
        using var outer = NewDisposeScope();
        using var data = utils.data.TensorDataset(randn(256, 4), arange(256, ScalarType.Int64));
        using var loader = utils.data.DataLoader(data, 16, shuffle: true, seed: 2, num_worker: 2, disposeDataset: false);
        foreach (var _ in loader) { }
        var before = Counts();
        for (var epoch = 0; epoch < 20; epoch++)
        {
            foreach (var batch in loader)
            {
                using var scope = NewDisposeScope();
                _ = batch[0].mul(2).sum();
            }
        }
        Counts().Should().Be(before);
    }
}
