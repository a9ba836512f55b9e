using System.IO;
using System.Text.Json;

namespace Efficient.Training.Tests.Distributed;

public class DistributedSamplerTests
{
    private static readonly JsonDocument Reference =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "distributed_sampler.json")));

    [Fact]
    public void ShardsMatchPyTorchsDistributedSampler()
    {
        var cases = Reference.RootElement.GetProperty("cases");
        cases.GetArrayLength().Should().BeGreaterThan(20);
        foreach (var c in cases.EnumerateArray())
        {
            var n = c.GetProperty("n").GetInt64();
            var world = c.GetProperty("world").GetInt32();
            var shuffle = c.GetProperty("shuffle").GetBoolean();
            var dropLast = c.GetProperty("drop_last").GetBoolean();
            var epoch = c.GetProperty("epoch").GetInt64();
            var seed = c.GetProperty("seed").GetInt64();
            var shards = c.GetProperty("shards");
            for (var rank = 0; rank < world; rank++)
            {
                var expected = shards[rank].EnumerateArray().Select(e => e.GetInt64()).ToArray();
                DistributedSampler.Indices(n, world, rank, epoch, seed, shuffle, dropLast)
                    .Should().Equal(expected, $"n={n} world={world} rank={rank} shuffle={shuffle} dropLast={dropLast} epoch={epoch}");
                DistributedSampler.SamplesPerReplica(n, world, dropLast).Should().Be(expected.Length);
            }
        }
    }

    [Fact]
    public void RanksPartitionTheEpochAndTheOrderChangesWithTheEpoch()
    {
        var rank0 = DistributedSampler.Indices(12, 2, 0, epoch: 0, seed: 1);
        var rank1 = DistributedSampler.Indices(12, 2, 1, epoch: 0, seed: 1);
        rank0.Concat(rank1).Should().BeEquivalentTo(Enumerable.Range(0, 12).Select(i => (long)i));
        DistributedSampler.Indices(12, 2, 0, epoch: 1, seed: 1).Should().NotEqual(rank0);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var rank = () => DistributedSampler.Indices(10, 2, 2, 0);
        rank.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("rank");
        var world = () => DistributedSampler.Indices(10, 0, 0, 0);
        world.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("numReplicas");
        var epoch = () => DistributedSampler.Indices(10, 2, 0, -1);
        epoch.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("epoch");
    }

    [Fact]
    public void TrainingDataBatchesThisRanksShard()
    {
        using var x = arange(10, ScalarType.Float32).reshape(10, 1);
        using var y = arange(10, ScalarType.Int64);
        var data = new DistributedTrainingData(x, y, batchSize: 2, rank: 1, worldSize: 3, shuffle: true, seed: 5);
        data.SamplesPerEpoch.Should().Be(4);
        data.BatchesPerEpoch.Should().Be(2);
        var expected = DistributedSampler.Indices(10, 3, 1, epoch: 3, seed: 5);
        var batches = data.GetEpoch(3).ToList();
        batches.SelectMany(b => b.Target.data<long>().ToArray()).Should().Equal(expected);
        batches.SelectMany(b => b.Indices!.data<long>().ToArray()).Should().Equal(expected);
        data.GetEpoch(3, skipBatches: 1).SelectMany(b => b.Target.data<long>().ToArray()).Should().Equal(expected.Skip(2));
    }

    [Fact]
    public void TrainingDataWithoutAProcessGroupNeedsRankAndWorldSize()
    {
        using var x = zeros(4, 1);
        using var y = zeros(4, ScalarType.Int64);
        var act = () => new DistributedTrainingData(x, y, 2, rank: 0);
        ProcessGroup.IsInitialized.Should().BeFalse("the test process never joins a process group");
        act.Should().Throw<InvalidOperationException>().WithMessage("Rank and world size default to the process group's, but it is not initialized: call ProcessGroup.Initialize() first or pass rank and worldSize.");
        var badRank = () => new DistributedTrainingData(x, y, 2, rank: 2, worldSize: 2);
        badRank.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("rank");
    }
}
