using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Data echoing (Choi, Passos, Shallue, Dahl 2019): when the input pipeline is slower than the training
/// step, reuse each loaded batch (batch echoing) or example (example echoing) <c>e</c> times instead of
/// leaving the accelerator idle. Augmentations applied after echoing see each copy separately, so the
/// copies differ. Randomness (the extra use of a fractional echo factor, the example shuffle) comes from
/// a <see cref="Generator"/> or is given explicitly.
/// </summary>
public static class DataEchoing
{
    /// <summary>
    /// How many times each of <paramref name="count"/> fresh items is used: ⌊<paramref name="echoFactor"/>⌋, plus
    /// one with probability <c>e − ⌊e⌋</c> (one uniform draw per item from <paramref name="generator"/>, or the
    /// global generator when null; no draw for a whole echo factor).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count or an echo factor outside [1, 64].</exception>
    public static int[] EchoCounts(int count, double echoFactor, Generator? generator = null)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "The number of fresh items must be >= 0.");
        ThrowIfBadFactor(echoFactor);
        var counts = new int[count];
        for (var i = 0; i < count; i++) counts[i] = NextCount(echoFactor, generator);
        return counts;
    }

    /// <summary>
    /// The echoed batches of one epoch, as positions in the epoch's stream of fresh examples (fresh batch
    /// <c>j</c> holds positions <c>offset_j .. offset_j + size_j − 1</c>).
    /// <para><see cref="DataEchoingMode.Batch"/>: fresh batch <c>j</c> is served <c>counts[j]</c> times in a row.</para>
    /// <para><see cref="DataEchoingMode.Example"/>: the fresh batches are taken in buffers of
    /// <paramref name="shuffleBufferBatches"/>; in each buffer every example of batch <c>j</c> is repeated
    /// <c>counts[j]</c> times in a row (<c>a a b b ...</c>), the echoed stream is shuffled —
    /// element <c>k</c> of the result is element <c>permutation[k]</c> of the stream — and cut into
    /// <c>counts[j]</c> batches of <c>size_j</c> for each fresh batch <c>j</c> of the buffer, in order.</para>
    /// </summary>
    /// <param name="freshBatchSizes">The size of each fresh batch of the epoch.</param>
    /// <param name="counts">The uses of each fresh batch (<see cref="EchoCounts"/>).</param>
    /// <param name="mode">Batch or example echoing.</param>
    /// <param name="shuffleBufferBatches">Example echoing: fresh batches per shuffle buffer (≥ 1).</param>
    /// <param name="bufferPermutations">Example echoing: one int64 permutation per buffer, of the buffer's echoed
    /// length; null draws them with <c>randperm</c> from <paramref name="generator"/>.</param>
    /// <param name="generator">The generator of drawn permutations (null: the global one).</param>
    /// <exception cref="ArgumentException">Mismatched lengths, a size or count below 1, or a wrong permutation.</exception>
    public static IReadOnlyList<long[]> Plan(IReadOnlyList<int> freshBatchSizes, IReadOnlyList<int> counts, DataEchoingMode mode, int shuffleBufferBatches = 8, IReadOnlyList<Tensor>? bufferPermutations = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(freshBatchSizes);
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count != freshBatchSizes.Count)
            throw new ArgumentException($"There are {counts.Count} echo counts for {freshBatchSizes.Count} fresh batches; expected one count per fresh batch.", nameof(counts));
        if (freshBatchSizes.Any(s => s < 1)) throw new ArgumentException($"A fresh batch size of {freshBatchSizes.First(s => s < 1)} is invalid; expected sizes >= 1.", nameof(freshBatchSizes));
        if (counts.Any(c => c < 1)) throw new ArgumentException($"An echo count of {counts.First(c => c < 1)} is invalid; expected counts >= 1.", nameof(counts));
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Expected Batch or Example.");
        if (shuffleBufferBatches < 1) throw new ArgumentOutOfRangeException(nameof(shuffleBufferBatches), shuffleBufferBatches, "The shuffle buffer must hold at least 1 fresh batch.");
        var result = new List<long[]>();
        long offset = 0;
        if (mode == DataEchoingMode.Batch)
        {
            for (var j = 0; j < freshBatchSizes.Count; j++)
            {
                var rows = Enumerable.Range(0, freshBatchSizes[j]).Select(i => offset + i).ToArray();
                for (var c = 0; c < counts[j]; c++) result.Add(rows);
                offset += freshBatchSizes[j];
            }
            return result;
        }
        var buffers = (freshBatchSizes.Count + shuffleBufferBatches - 1) / shuffleBufferBatches;
        if (bufferPermutations is not null && bufferPermutations.Count != buffers)
            throw new ArgumentException($"There are {bufferPermutations.Count} buffer permutations for {buffers} shuffle buffers; expected one per buffer.", nameof(bufferPermutations));
        for (var w = 0; w < buffers; w++)
        {
            var first = w * shuffleBufferBatches;
            var last = Math.Min(first + shuffleBufferBatches, freshBatchSizes.Count);
            var sizes = Enumerable.Range(first, last - first).Select(j => freshBatchSizes[j]).ToArray();
            var uses = Enumerable.Range(first, last - first).Select(j => counts[j]).ToArray();
            var echoed = sizes.Zip(uses, (s, c) => (long)s * c).Sum();
            long[] permutation;
            if (bufferPermutations is not null) permutation = PermutationValues(bufferPermutations[w], echoed, nameof(bufferPermutations));
            else
            {
                using var p = randperm(echoed, generator: generator);
                permutation = p.data<long>().ToArray();
            }
            foreach (var batch in BufferBatches(sizes, uses, permutation)) result.Add(batch.Select(i => offset + i).ToArray());
            offset += sizes.Sum();
        }
        return result;
    }

    /// <summary>
    /// Echoes a stream of fresh batches, for a hand-written loop: <c>foreach (var b in DataEchoing.Echo(loader, options, g))</c>.
    /// Fresh batches are read lazily (one at a time in batch mode, one shuffle buffer at a time in example mode);
    /// each yielded batch has tensors of its own (views or gathered rows), so disposing it leaves the other copies
    /// intact. Echo counts and buffer permutations are drawn from <paramref name="generator"/> (null: the global one)
    /// in stream order. Sample indices and extras whose first dimension is the batch travel with the rows; tokens are
    /// split in proportion to the rows.
    /// </summary>
    /// <exception cref="OptionsValidationException">Invalid options.</exception>
    public static IEnumerable<Batch> Echo(IEnumerable<Batch> fresh, DataEchoingOptions options, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(fresh);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var e = options.EchoFactor;
        return Run(fresh, 0, _ => NextCount(e, generator), options.Mode, options.ShuffleBufferBatches, (_, n) => randperm(n, generator: generator), 0);
    }

    internal static void ThrowIfBadFactor(double echoFactor)
    {
        if (!(echoFactor >= 1 && echoFactor <= 64)) throw new ArgumentOutOfRangeException(nameof(echoFactor), echoFactor, "The echo factor must be in [1, 64].");
    }

    /// <summary>One item's uses: ⌊e⌋, plus one if a uniform draw falls below e − ⌊e⌋ (no draw for a whole e).</summary>
    internal static int NextCount(double echoFactor, Generator? generator)
    {
        var whole = Math.Floor(echoFactor);
        var fraction = echoFactor - whole;
        if (fraction == 0) return (int)whole;
        using var u = rand(new long[] { 1 }, dtype: ScalarType.Float64, generator: generator);
        return (int)whole + (u.item<double>() < fraction ? 1 : 0);
    }

    /// <summary>Buffer-relative fresh positions of each echoed batch of one example-echoing shuffle buffer.</summary>
    internal static IEnumerable<long[]> BufferBatches(int[] sizes, int[] counts, long[] permutation)
    {
        var stream = new List<long>(permutation.Length);
        long offset = 0;
        for (var j = 0; j < sizes.Length; j++)
        {
            for (var i = 0; i < sizes[j]; i++)
                for (var c = 0; c < counts[j]; c++) stream.Add(offset + i);
            offset += sizes[j];
        }
        var k = 0;
        for (var j = 0; j < sizes.Length; j++)
            for (var c = 0; c < counts[j]; c++)
            {
                var batch = new long[sizes[j]];
                for (var i = 0; i < batch.Length; i++) batch[i] = stream[(int)permutation[k++]];
                yield return batch;
            }
    }

    internal static long[] PermutationValues(Tensor permutation, long length, string parameter)
    {
        ArgumentNullException.ThrowIfNull(permutation, parameter);
        if (permutation.dim() != 1 || permutation.shape[0] != length || permutation.dtype != ScalarType.Int64)
            throw new ArgumentException($"A buffer permutation must be an int64 tensor of shape [{length}] (got {permutation.dtype} [{string.Join(", ", permutation.shape)}]).", parameter);
        var values = permutation.contiguous().data<long>().ToArray();
        var seen = new bool[length];
        foreach (var v in values)
        {
            if (v < 0 || v >= length || seen[v]) throw new ArgumentException($"A buffer permutation must hold each of 0..{length - 1} exactly once (found {v} out of range or repeated).", parameter);
            seen[v] = true;
        }
        return values;
    }

    /// <summary>
    /// The echoing engine shared by <see cref="Echo"/> and the Trainer's source: <paramref name="fresh"/> starts at
    /// fresh batch <paramref name="firstFresh"/> (a buffer start in example mode); the first <paramref name="skip"/>
    /// echoed batches from there are not served.
    /// </summary>
    internal static IEnumerable<Batch> Run(IEnumerable<Batch> fresh, long firstFresh, Func<long, int> countOf, DataEchoingMode mode, int bufferBatches, Func<long, long, Tensor> permutationOf, long skip)
    {
        var j = firstFresh;
        if (mode == DataEchoingMode.Batch)
        {
            foreach (var batch in fresh)
            {
                var count = countOf(j++);
                if (skip >= count)
                {
                    skip -= count;
                    continue;
                }
                // The trainer's per-batch dispose scope frees the fresh batch after its first use: keep aliases.
                using var held = new HeldBatch(batch);
                for (var c = skip; c < count; c++) yield return held.Copy();
                skip = 0;
            }
            yield break;
        }

        var buffer = new List<(HeldBatch Batch, int Count)>();
        var w = firstFresh / bufferBatches;
        try
        {
            foreach (var batch in fresh)
            {
                buffer.Add((new HeldBatch(batch), countOf(j++)));
                if (buffer.Count < bufferBatches) continue;
                foreach (var b in EmitBuffer(buffer, w++, permutationOf, skip)) yield return b;
                skip = 0;
                foreach (var h in buffer) h.Batch.Dispose();
                buffer.Clear();
            }
            if (buffer.Count > 0)
                foreach (var b in EmitBuffer(buffer, w, permutationOf, skip)) yield return b;
        }
        finally
        {
            foreach (var h in buffer) h.Batch.Dispose();
        }
    }

    private static IEnumerable<Batch> EmitBuffer(List<(HeldBatch Batch, int Count)> buffer, long w, Func<long, long, Tensor> permutationOf, long skip)
    {
        var sizes = buffer.Select(h => (int)h.Batch.Size).ToArray();
        var counts = buffer.Select(h => h.Count).ToArray();
        var echoed = sizes.Zip(counts, (s, c) => (long)s * c).Sum();
        long[] permutation;
        using (var p = permutationOf(w, echoed)) permutation = PermutationValues(p, echoed, "permutation");
        var tokensPerRow = buffer.SelectMany(h => Enumerable.Repeat(h.Batch.Size > 0 ? (double)h.Batch.Tokens / h.Batch.Size : 0, (int)h.Batch.Size)).ToArray();
        using var all = HeldBatch.Concat(buffer.Select(h => h.Batch).ToList());
        foreach (var rows in BufferBatches(sizes, counts, permutation))
        {
            if (skip > 0)
            {
                skip--;
                continue;
            }
            var tokens = (long)Math.Round(rows.Sum(r => tokensPerRow[r]));
            yield return all.Rows(rows, tokens);
        }
    }
}
