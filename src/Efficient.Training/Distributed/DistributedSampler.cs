using System;
using System.Collections.Generic;

namespace Efficient.Training;

/// <summary>
/// The sample order of one rank in data-parallel training, as PyTorch's
/// <c>torch.utils.data.distributed.DistributedSampler</c> computes it: every rank draws the same
/// permutation of the whole data set from a generator seeded with <c>seed + epoch</c>, pads it to a
/// multiple of the world size by repeating its first indices (or truncates it with
/// <c>dropLast</c>), and keeps every <c>numReplicas</c>-th index starting at its rank. So the
/// ranks' shards are disjoint (up to the padding), equally long, and change every epoch.
/// </summary>
public static class DistributedSampler
{
    /// <summary>How many samples each rank gets per epoch (PyTorch's <c>num_samples</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative size or a world size below 1.</exception>
    public static long SamplesPerReplica(long datasetSize, int numReplicas, bool dropLast = false)
    {
        if (datasetSize < 0) throw new ArgumentOutOfRangeException(nameof(datasetSize), datasetSize, "The data set size must be >= 0.");
        if (numReplicas < 1) throw new ArgumentOutOfRangeException(nameof(numReplicas), numReplicas, "The number of replicas (world size) must be >= 1.");
        if (dropLast && datasetSize % numReplicas != 0) return (datasetSize - numReplicas + numReplicas - 1) / numReplicas;
        return (datasetSize + numReplicas - 1) / numReplicas;
    }

    /// <summary>The indices rank <paramref name="rank"/> visits in epoch <paramref name="epoch"/>.</summary>
    /// <param name="datasetSize">Samples in the whole data set.</param>
    /// <param name="numReplicas">The world size.</param>
    /// <param name="rank">This rank, in [0, numReplicas).</param>
    /// <param name="epoch">The epoch (PyTorch's <c>set_epoch</c>); changes the permutation.</param>
    /// <param name="seed">The seed shared by every rank (default 0).</param>
    /// <param name="shuffle">Whether to permute (default true); otherwise the order is 0, 1, 2, ...</param>
    /// <param name="dropLast">Drop the tail so the shards divide evenly instead of padding (default false).</param>
    /// <exception cref="ArgumentOutOfRangeException">A bad size, world size, rank or epoch.</exception>
    public static long[] Indices(long datasetSize, int numReplicas, int rank, long epoch, long seed = 0, bool shuffle = true, bool dropLast = false)
    {
        var perReplica = SamplesPerReplica(datasetSize, numReplicas, dropLast);
        if (rank < 0 || rank >= numReplicas) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The rank must be in [0, {numReplicas}).");
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "The epoch must be >= 0.");
        var total = perReplica * numReplicas;
        long[] order;
        if (shuffle)
        {
            using var g = new Generator(unchecked((ulong)(seed + epoch)));
            using var perm = randperm(datasetSize, generator: g);
            order = perm.data<long>().ToArray();
        }
        else
        {
            order = new long[datasetSize];
            for (long i = 0; i < datasetSize; i++) order[i] = i;
        }
        var padded = new List<long>((int)Math.Max(total, datasetSize));
        padded.AddRange(order);
        if (!dropLast && datasetSize > 0)
        {
            while (padded.Count < total) padded.AddRange(order.AsSpan(0, (int)Math.Min(datasetSize, total - padded.Count)).ToArray());
        }
        var result = new long[perReplica];
        for (long k = 0; k < perReplica; k++) result[k] = padded[(int)(rank + k * numReplicas)];
        return result;
    }
}
