using System.Collections.Generic;
using System.Threading;
using Efficient.Torch.Modules;
using static Efficient.Torch.Tests.Data.BatchReading;

namespace Efficient.Torch.Tests.Data;

public class DataLoaderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void WithoutShuffleBatchesAreSequential(int workers)
    {
        using var loader = utils.data.DataLoader(new RangeDataset(10), 3, num_worker: workers);
        loader.Count.Should().Be(4);
        var epoch = Epoch(loader);
        epoch.Should().HaveCount(4);
        epoch[0].Should().Equal(0, 1, 2);
        epoch[1].Should().Equal(3, 4, 5);
        epoch[2].Should().Equal(6, 7, 8);
        epoch[3].Should().Equal(9);
    }

    [Fact]
    public void DefaultCollateStacksEachPosition()
    {
        using var scope = NewDisposeScope();
        using var loader = utils.data.DataLoader(new RangeDataset(5), 2, num_worker: 1, disposeBatch: false);
        var first = loader.First();
        scope.Contains(first[0]).Should().BeTrue("without disposeBatch the batch belongs to the consumer's scope");
        first.Should().HaveCount(2);
        first[0].shape.Should().Equal(2, 2);
        first[0].dtype.Should().Be(ScalarType.Float32);
        first[0].data<float>().ToArray().Should().Equal(0, -0f, 1, -1);
        first[1].shape.Should().Equal(2);
        first[1].dtype.Should().Be(ScalarType.Int64);
    }

    [Fact]
    public void ShuffleWithASeedEqualsRandpermFromAGeneratorWithThatSeed()
    {
        const int n = 50;
        using var loader = utils.data.DataLoader(new RangeDataset(n), 7, shuffle: true, seed: 42, num_worker: 2);
        var order = Epoch(loader).SelectMany(b => b).ToArray();

        using var scope = NewDisposeScope();
        using var g = new Generator(42);
        var expected = randperm(n, generator: g).data<long>().ToArray();
        order.Should().Equal(expected);

        // The next epoch continues the loader's generator: a new order, equal to the generator's next draw.
        var second = Epoch(loader).SelectMany(b => b).ToArray();
        second.Should().Equal(randperm(n, generator: g).data<long>().ToArray());
        second.Should().NotEqual(order);
    }

    [Fact]
    public void SameSeedSameSequenceOfEpochs()
    {
        using var a = utils.data.DataLoader(new RangeDataset(30), 4, shuffle: true, seed: 7);
        using var b = utils.data.DataLoader(new RangeDataset(30), 4, shuffle: true, seed: 7, num_worker: 3);
        for (var epoch = 0; epoch < 3; epoch++)
            Epoch(a).Should().BeEquivalentTo(Epoch(b), o => o.WithStrictOrdering());
    }

    [Fact]
    public void WithoutASeedTheShuffleFollowsManualSeed()
    {
        manual_seed(123);
        using var a = utils.data.DataLoader(new RangeDataset(20), 5, shuffle: true);
        manual_seed(123);
        using var b = utils.data.DataLoader(new RangeDataset(20), 5, shuffle: true);
        Epoch(a).Should().BeEquivalentTo(Epoch(b), o => o.WithStrictOrdering());
    }

    [Fact]
    public void GeneratorOverloadDrawsItsPermutations()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(99);
        using var loader = new IterableDataLoader(new RangeDataset(12), 5, g, num_worker: 2);
        var order = Epoch(loader).SelectMany(b => b).ToArray();
        using var reference = new Generator(99);
        order.Should().Equal(randperm(12, generator: reference).data<long>().ToArray());
    }

    [Fact]
    public void OneWorkerAndFourWorkersGiveIdenticalBatches()
    {
        List<(float[] x, long[] y)> Run(int workers)
        {
            using var loader = utils.data.DataLoader(new RangeDataset(103, delayMs: 0), 8, shuffle: true, seed: 5, num_worker: workers);
            return loader.Select(b => (b[0].data<float>().ToArray(), b[1].data<long>().ToArray())).ToList();
        }

        var one = Run(1);
        var four = Run(4);
        var inline = Run(0);
        one.Should().HaveCount(13);
        four.Should().HaveCount(13);
        for (var i = 0; i < one.Count; i++)
        {
            four[i].x.Should().Equal(one[i].x);
            four[i].y.Should().Equal(one[i].y);
            inline[i].y.Should().Equal(one[i].y);
        }
    }

    [Theory]
    [InlineData(10, 3, false, 4, 1)]
    [InlineData(10, 3, true, 3, 3)]
    [InlineData(9, 3, false, 3, 3)]
    [InlineData(9, 3, true, 3, 3)]
    [InlineData(2, 5, true, 0, 0)]
    [InlineData(2, 5, false, 1, 2)]
    public void DropLastControlsTheLastBatch(int n, int batch, bool dropLast, int batches, int lastSize)
    {
        using var loader = utils.data.DataLoader(new RangeDataset(n), batch, drop_last: dropLast, num_worker: 2);
        loader.Count.Should().Be(batches);
        var epoch = Epoch(loader);
        epoch.Should().HaveCount(batches);
        if (batches > 0) epoch[^1].Should().HaveCount(lastSize);
        epoch.SelectMany(b => b).Should().Equal(Enumerable.Range(0, dropLast ? batches * batch : n).Select(i => (long)i));
    }

    [Fact]
    public void CustomCollateReceivesTheSamplesAndDevice()
    {
        var seenDevices = new List<DeviceType>();
        Tensor Collate(IEnumerable<IList<Tensor>> samples, Device device)
        {
            lock (seenDevices) seenDevices.Add(device.type);
            return stack(samples.Select(s => s[0])).sum(0L);
        }

        using var loader = new DataLoader<IList<Tensor>, Tensor>(new RangeDataset(6), 3, Collate, shuffle: false, num_worker: 2);
        var sums = loader.Select(t => t.data<float>().ToArray()).ToList();
        sums.Should().HaveCount(2);
        sums[0].Should().Equal(0 + 1 + 2, -(0 + 1 + 2));
        sums[1].Should().Equal(3 + 4 + 5, -(3 + 4 + 5));
        seenDevices.Should().OnlyContain(d => d == DeviceType.CPU);
    }

    [Fact]
    public void DictionaryDatasetCollatesEveryKey()
    {
        using var loader = utils.data.DataLoader(new DictionaryDataset(5), 2);
        var batches = loader.Select(b => (x: b["x"].shape, y: b["y"].data<long>().ToArray())).ToList();
        batches.Should().HaveCount(3);
        batches[0].x.Should().Equal(2, 3);
        batches[0].y.Should().Equal(0, 1);
        batches[2].x.Should().Equal(1, 3);
    }

    [Fact]
    public void CustomShufflerGivesTheOrder()
    {
        using var loader = utils.data.DataLoader(new RangeDataset(6), 2, new long[] { 5, 4, 3, 2, 1, 0 }, num_worker: 3);
        Epoch(loader).SelectMany(b => b).Should().Equal(5, 4, 3, 2, 1, 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void AWorkerExceptionSurfacesOnTheConsumerWithTheOriginalAsInner(int workers)
    {
        var dataset = new RangeDataset(40, failAt: i => i == 13 ? new DatasetFailure("sample 13 is unreadable") : null);
        using var loader = utils.data.DataLoader(dataset, 4, num_worker: workers);
        var received = new List<long[]>();
        var act = () =>
        {
            foreach (var batch in loader) received.Add(Labels(batch));
        };
        var error = act.Should().Throw<InvalidOperationException>().Which;
        error.InnerException.Should().BeOfType<DatasetFailure>().Which.Message.Should().Be("sample 13 is unreadable");
        error.Message.Should().Contain("batch 3").And.Contain("[12, 13, 14, 15]").And.Contain("sample 13 is unreadable");
        received.Should().HaveCount(3, "the batches before the failed one are delivered in order");
        received.SelectMany(b => b).Should().Equal(Enumerable.Range(0, 12).Select(i => (long)i));
    }

    [Fact]
    public void ACollateExceptionSurfacesToo()
    {
        static Tensor Collate(IEnumerable<IList<Tensor>> samples, Device device) => throw new DatasetFailure("collate failed");
        using var loader = new DataLoader<IList<Tensor>, Tensor>(new RangeDataset(8), 4, Collate, num_worker: 2);
        var act = () => loader.First();
        act.Should().Throw<InvalidOperationException>().WithInnerException<DatasetFailure>().WithMessage("collate failed");
    }

    [Fact]
    public void AFailingShufflerSurfacesToo()
    {
        static IEnumerable<long> Order()
        {
            yield return 0;
            yield return 1;
            throw new DatasetFailure("sampler broke");
        }

        using var loader = utils.data.DataLoader(new RangeDataset(8), 2, Order(), num_worker: 2);
        var act = () => Epoch(loader);
        act.Should().Throw<InvalidOperationException>().WithInnerException<DatasetFailure>();
    }

    [Fact]
    public void WorkersRunOffTheConsumerThreadAndInlineRunsOnIt()
    {
        var background = new RangeDataset(8);
        using (var loader = utils.data.DataLoader(background, 2, num_worker: 2, disposeDataset: false)) _ = Epoch(loader);
        background.Threads.Keys.Should().NotContain(Environment.CurrentManagedThreadId);

        var inline = new RangeDataset(8);
        using (var loader = utils.data.DataLoader(inline, 2, num_worker: 0, disposeDataset: false)) _ = Epoch(loader);
        inline.Threads.Keys.Should().Equal(Environment.CurrentManagedThreadId);
    }

    [Fact]
    public void PrefetchIsBoundedByTwiceTheWorkers()
    {
        var dataset = new RangeDataset(1000);
        using var loader = utils.data.DataLoader(dataset, 4, num_worker: 2);
        using var e = loader.GetEnumerator();
        e.MoveNext().Should().BeTrue();
        Thread.Sleep(300);
        // One batch consumed, at most 2 x 2 more claimed ahead of the consumer.
        dataset.Calls.Should().BeLessThanOrEqualTo(5 * 4);
        dataset.Calls.Should().BeGreaterThanOrEqualTo(2 * 4, "workers prefetch while the consumer is busy");
    }

    [Fact]
    public void DisposingTheLoaderDisposesTheDatasetUnlessAskedNotTo()
    {
        var owned = new RangeDataset(3);
        utils.data.DataLoader(owned, 2).Dispose();
        owned.Disposed.Should().BeTrue();

        var kept = new RangeDataset(3);
        utils.data.DataLoader(kept, 2, disposeDataset: false).Dispose();
        kept.Disposed.Should().BeFalse();
    }

    [Fact]
    public void InvalidArgumentsAreNamed()
    {
        var zeroBatch = () => utils.data.DataLoader(new RangeDataset(3), 0);
        zeroBatch.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("batchSize");
        var negativeWorkers = () => utils.data.DataLoader(new RangeDataset(3), 1, num_worker: -1);
        negativeWorkers.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("num_worker");
    }

    [Fact]
    public void PropertiesReflectTheArguments()
    {
        using var loader = utils.data.DataLoader(new RangeDataset(10), 4, shuffle: true, seed: 1, num_worker: 3, drop_last: true, disposeBatch: false);
        loader.batch_size.Should().Be(4);
        loader.num_workers.Should().Be(3);
        loader.drop_last.Should().BeTrue();
        loader.DisposeBatch.Should().BeFalse();
        loader.DisposeDataset.Should().BeTrue();
        loader.Device.type.Should().Be(DeviceType.CPU);
        loader.Count.Should().Be(2);
        loader.sampler.Should().HaveCount(10);
    }
}
