using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using static Efficient.Torch.torch;
using data = Efficient.Torch.torch.utils.data;

namespace Efficient.Torch.Modules;

/// <summary>
/// Turns a dataset into a sequence of batches: draws the sample order for each epoch, collates
/// <c>batch_size</c> samples at a time and places the result on <see cref="Device"/>.
/// </summary>
/// <remarks>
/// <para><b>Order.</b> The order of an epoch is drawn once, when enumeration starts (a shuffled loader
/// draws <c>torch.randperm(Count)</c> from its generator), and batches are yielded strictly in that
/// order. So the batches are the same whatever <see cref="num_workers"/> is, and a shuffled loader
/// built with a seed repeats the same sequence of epochs.</para>
/// <para><b>Workers.</b> With <c>num_worker ≥ 1</c>, that many background threads fetch and collate
/// batches ahead of the consumer; at most <c>2 × num_worker</c> batches are claimed but not yet consumed,
/// which bounds memory. With <c>num_worker = 0</c> batches are prepared on the consumer's thread.
/// An exception in a worker is rethrown on the consumer's thread, when the failed batch is reached, as an
/// <see cref="InvalidOperationException"/> whose inner exception is the original.</para>
/// <para><b>Tensor ownership.</b> Tensors a worker creates (samples, intermediates) are disposed there;
/// the tensors of a batch are handed to the consumer and attached to the dispose scope that is current on
/// the consumer's thread when it asks for the batch (so a per-batch <c>NewDisposeScope()</c> around
/// <c>MoveNext</c> frees it). With <see cref="DisposeBatch"/> (the default) the loader also disposes a
/// batch's tensors when the next batch is requested or the enumeration ends, except those the consumer
/// moved to another scope or detached (<c>DetachFromDisposeScope</c>); when no scope is current the
/// enumerator holds the batch in a private scope for that purpose. Without <see cref="DisposeBatch"/> and
/// without a current scope the batch is untracked and the consumer must dispose it.
/// Stopping an enumeration early (<c>break</c>) stops the workers and frees every prepared batch.
/// The samples of a batch are disposed once <see cref="collate_fn"/> returns, so a collate function must
/// build new tensors rather than return a sample's own.</para>
/// </remarks>
/// <typeparam name="T">The type of one sample.</typeparam>
/// <typeparam name="S">The type of one batch.</typeparam>
public class DataLoader<T, S> : IEnumerable<S>, IDisposable
{
    private readonly Generator? _ownedGenerator;
    private bool _disposed;

    /// <summary>A loader drawing sample indices from <paramref name="shuffler"/>.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (at least 1).</param>
    /// <param name="collate_fn">Merges the samples of a batch into the batch, on the given device.</param>
    /// <param name="shuffler">The sample order; enumerated once per epoch (on the consumer's thread it is started, then read by the workers one batch at a time).</param>
    /// <param name="device">Where batches are placed (default: CPU).</param>
    /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
    /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
    /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
    public DataLoader(data.Dataset<T> dataset, int batchSize, Func<IEnumerable<T>, Device, S> collate_fn, IEnumerable<long> shuffler, Device? device = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(collate_fn);
        ArgumentNullException.ThrowIfNull(shuffler);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        if (num_worker < 0) throw new ArgumentOutOfRangeException(nameof(num_worker), num_worker, "The number of workers must be 0 (prepare batches on the consumer's thread) or more.");
        this.dataset = dataset;
        batch_size = batchSize;
        this.collate_fn = collate_fn;
        sampler = shuffler;
        Device = device ?? CPU;
        num_workers = num_worker;
        this.drop_last = drop_last;
        DisposeBatch = disposeBatch;
        DisposeDataset = disposeDataset;
    }

    /// <summary>A loader yielding the samples in order or, with <paramref name="shuffle"/>, in a new random order every epoch.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (at least 1).</param>
    /// <param name="collate_fn">Merges the samples of a batch into the batch, on the given device.</param>
    /// <param name="shuffle">Draw a new random order every epoch.</param>
    /// <param name="device">Where batches are placed (default: CPU).</param>
    /// <param name="seed">
    /// Seed of the loader's generator: the first epoch's order is <c>torch.randperm(Count, generator: new Generator(seed))</c>.
    /// Default: a seed drawn from the default generator (so <c>torch.manual_seed</c> makes it reproducible).
    /// </param>
    /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
    /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
    /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
    public DataLoader(data.Dataset<T> dataset, int batchSize, Func<IEnumerable<T>, Device, S> collate_fn, bool shuffle = false, Device? device = null, int? seed = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
        : this(dataset, batchSize, collate_fn, SequentialSampler.Placeholder, device, num_worker, drop_last, disposeBatch, disposeDataset)
    {
        if (shuffle)
        {
            _ownedGenerator = new Generator(seed.HasValue ? unchecked((ulong)seed.Value) : SeedFromDefaultGenerator());
            sampler = new RandomPermutationSampler(dataset, _ownedGenerator);
        }
        else
        {
            sampler = new SequentialSampler(dataset);
        }
    }

    /// <summary>
    /// A loader yielding the samples in a new random order every epoch, drawn from
    /// <paramref name="generator"/> (which the caller owns). An Efficient.Torch addition to TorchSharp's API.
    /// </summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (at least 1).</param>
    /// <param name="collate_fn">Merges the samples of a batch into the batch, on the given device.</param>
    /// <param name="generator">The generator of the shuffle order: each epoch draws <c>torch.randperm(Count, generator: generator)</c>.</param>
    /// <param name="device">Where batches are placed (default: CPU).</param>
    /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
    /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
    /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
    public DataLoader(data.Dataset<T> dataset, int batchSize, Func<IEnumerable<T>, Device, S> collate_fn, Generator generator, Device? device = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
        : this(dataset, batchSize, collate_fn, new RandomPermutationSampler(dataset, generator ?? throw new ArgumentNullException(nameof(generator))), device, num_worker, drop_last, disposeBatch, disposeDataset)
    {
    }

    /// <summary>The samples.</summary>
    public data.Dataset<T> dataset { get; }

    /// <summary>Samples per batch.</summary>
    public int batch_size { get; }

    /// <summary>Whether a last, smaller batch is dropped.</summary>
    public bool drop_last { get; }

    /// <summary>The sample order (enumerated once per epoch).</summary>
    public IEnumerable<long> sampler { get; }

    /// <summary>Background threads preparing batches (0: the consumer's thread).</summary>
    public int num_workers { get; }

    /// <summary>Merges the samples of a batch.</summary>
    public Func<IEnumerable<T>, Device, S> collate_fn { get; }

    /// <summary>Where batches are placed.</summary>
    public Device Device { get; }

    /// <summary>Whether a batch's tensors are disposed when the next batch is requested.</summary>
    public bool DisposeBatch { get; }

    /// <summary>Whether the dataset is disposed with the loader.</summary>
    public bool DisposeDataset { get; }

    /// <summary>The number of batches in an epoch.</summary>
    public long Count
    {
        get
        {
            var n = dataset.Count;
            return drop_last ? n / batch_size : (n + batch_size - 1) / batch_size;
        }
    }

    /// <summary>
    /// A fast path used instead of <c>GetTensor</c> + <see cref="collate_fn"/>: builds a whole batch from
    /// its sample indices (e.g. one <c>index_select</c> per tensor of a <see cref="TensorDataset"/>).
    /// </summary>
    internal Func<long[], Device, S>? BatchFetcher { get; init; }

    /// <summary>Starts an epoch: draws the sample order and starts the workers on the first <c>MoveNext</c>.</summary>
    public IEnumerator<S> GetEnumerator()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new DataLoaderEnumerator<T, S>(this);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes the dataset (when <see cref="DisposeDataset"/>) and the loader's own generator.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the dataset (when <see cref="DisposeDataset"/>) and the loader's own generator.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing) return;
        _disposed = true;
        if (DisposeDataset) dataset.Dispose();
        _ownedGenerator?.Dispose();
    }

    private static ulong SeedFromDefaultGenerator()
    {
        using var scope = NewDisposeScope();
        var drawn = randint(0, long.MaxValue, new long[] { 1 }, ScalarType.Int64, CPU);
        return unchecked((ulong)drawn.item<long>());
    }

    private sealed class SequentialSampler : IEnumerable<long>
    {
        internal static readonly IEnumerable<long> Placeholder = Array.Empty<long>();
        private readonly data.Dataset<T> _dataset;

        public SequentialSampler(data.Dataset<T> dataset) => _dataset = dataset;

        public IEnumerator<long> GetEnumerator()
        {
            var n = _dataset.Count;
            for (long i = 0; i < n; i++) yield return i;
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Each enumeration draws a fresh permutation from the generator, eagerly (on the enumerating thread).</summary>
    private sealed class RandomPermutationSampler : IEnumerable<long>
    {
        private readonly data.Dataset<T> _dataset;
        private readonly Generator _generator;

        public RandomPermutationSampler(data.Dataset<T> dataset, Generator generator)
        {
            _dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
            _generator = generator;
        }

        public IEnumerator<long> GetEnumerator()
        {
            long[] order;
            using (NewDisposeScope())
            {
                order = randperm(_dataset.Count, ScalarType.Int64, CPU, generator: _generator).ToArray<long>();
            }
            return ((IEnumerable<long>)order).GetEnumerator();
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>
/// A loader over a <see cref="utils.data.Dataset"/> (samples are dictionaries of named tensors): each
/// batch maps every key to the samples' tensors stacked along a new first dimension.
/// </summary>
public class DataLoader : DataLoader<Dictionary<string, Tensor>, Dictionary<string, Tensor>>
{
    /// <summary>A loader drawing sample indices from <paramref name="shuffler"/>.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (at least 1).</param>
    /// <param name="shuffler">The sample order; enumerated once per epoch.</param>
    /// <param name="device">Where batches are placed (default: CPU).</param>
    /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
    /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
    /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
    public DataLoader(data.Dataset dataset, int batchSize, IEnumerable<long> shuffler, Device? device = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
        : base(dataset, batchSize, Collate, shuffler, device, num_worker, drop_last, disposeBatch, disposeDataset)
    {
    }

    /// <summary>A loader yielding the samples in order or, with <paramref name="shuffle"/>, in a new random order every epoch.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (at least 1).</param>
    /// <param name="shuffle">Draw a new random order every epoch.</param>
    /// <param name="device">Where batches are placed (default: CPU).</param>
    /// <param name="seed">Seed of the shuffle order (default: drawn from the default generator).</param>
    /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
    /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
    /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
    public DataLoader(data.Dataset dataset, int batchSize, bool shuffle = false, Device? device = null, int? seed = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
        : base(dataset, batchSize, Collate, shuffle, device, seed, num_worker, drop_last, disposeBatch, disposeDataset)
    {
    }

    /// <summary>A loader shuffling with <paramref name="generator"/> (owned by the caller). An Efficient.Torch addition.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (at least 1).</param>
    /// <param name="generator">The generator of the shuffle order.</param>
    /// <param name="device">Where batches are placed (default: CPU).</param>
    /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
    /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
    /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
    public DataLoader(data.Dataset dataset, int batchSize, Generator generator, Device? device = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
        : base(dataset, batchSize, Collate, generator, device, num_worker, drop_last, disposeBatch, disposeDataset)
    {
    }

    private static Dictionary<string, Tensor> Collate(IEnumerable<Dictionary<string, Tensor>> samples, Device device)
    {
        var list = samples as IReadOnlyList<Dictionary<string, Tensor>> ?? samples.ToList();
        if (list.Count == 0) throw new ArgumentException("Cannot collate an empty batch.", nameof(samples));
        var keys = list[0].Keys.ToArray();
        for (var i = 1; i < list.Count; i++)
        {
            if (list[i].Count != keys.Length || keys.Any(k => !list[i].ContainsKey(k)))
                throw new InvalidOperationException($"Cannot collate samples with different keys: sample 0 has [{string.Join(", ", keys)}] but sample {i} of the batch has [{string.Join(", ", list[i].Keys)}].");
        }
        using var scope = NewDisposeScope();
        var batch = new Dictionary<string, Tensor>(keys.Length);
        foreach (var key in keys)
            batch[key] = DataLoaderDevices.StackOn(list.Select(s => s[key]), device);
        foreach (var t in batch.Values) scope.MoveToOuter(t);
        return batch;
    }
}

/// <summary>
/// A loader over a <see cref="utils.data.IterableDataset"/> (samples are lists of tensors): batch
/// element <c>k</c> is the samples' tensors <c>k</c> stacked along a new first dimension. Over a
/// <see cref="TensorDataset"/> each batch is gathered with one <c>index_select</c> per tensor.
/// </summary>
public class IterableDataLoader : DataLoader<IList<Tensor>, IList<Tensor>>
{
    /// <summary>A loader drawing sample indices from <paramref name="shuffler"/>.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (at least 1).</param>
    /// <param name="shuffler">The sample order; enumerated once per epoch.</param>
    /// <param name="device">Where batches are placed (default: CPU).</param>
    /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
    /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
    /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
    public IterableDataLoader(data.IterableDataset dataset, int batchSize, IEnumerable<long> shuffler, Device? device = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
        : base(dataset, batchSize, Collate, shuffler, device, num_worker, drop_last, disposeBatch, disposeDataset)
    {
        BatchFetcher = FastPath(dataset);
    }

    /// <summary>A loader yielding the samples in order or, with <paramref name="shuffle"/>, in a new random order every epoch.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (at least 1).</param>
    /// <param name="shuffle">Draw a new random order every epoch.</param>
    /// <param name="device">Where batches are placed (default: CPU).</param>
    /// <param name="seed">Seed of the shuffle order (default: drawn from the default generator).</param>
    /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
    /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
    /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
    public IterableDataLoader(data.IterableDataset dataset, int batchSize, bool shuffle = false, Device? device = null, int? seed = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
        : base(dataset, batchSize, Collate, shuffle, device, seed, num_worker, drop_last, disposeBatch, disposeDataset)
    {
        BatchFetcher = FastPath(dataset);
    }

    /// <summary>A loader shuffling with <paramref name="generator"/> (owned by the caller). An Efficient.Torch addition.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (at least 1).</param>
    /// <param name="generator">The generator of the shuffle order.</param>
    /// <param name="device">Where batches are placed (default: CPU).</param>
    /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
    /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
    /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
    public IterableDataLoader(data.IterableDataset dataset, int batchSize, Generator generator, Device? device = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
        : base(dataset, batchSize, Collate, generator, device, num_worker, drop_last, disposeBatch, disposeDataset)
    {
        BatchFetcher = FastPath(dataset);
    }

    private static Func<long[], Device, IList<Tensor>>? FastPath(data.IterableDataset dataset) =>
        // Only the exact type: a subclass may override GetTensor (e.g. to augment samples).
        dataset is TensorDataset td && td.GetType() == typeof(TensorDataset) ? td.GetBatch : null;

    private static IList<Tensor> Collate(IEnumerable<IList<Tensor>> samples, Device device)
    {
        var list = samples as IReadOnlyList<IList<Tensor>> ?? samples.ToList();
        if (list.Count == 0) throw new ArgumentException("Cannot collate an empty batch.", nameof(samples));
        var width = list[0].Count;
        for (var i = 1; i < list.Count; i++)
        {
            if (list[i].Count != width)
                throw new InvalidOperationException($"Cannot collate samples of different lengths: sample 0 has {width} tensors but sample {i} of the batch has {list[i].Count}.");
        }
        using var scope = NewDisposeScope();
        var batch = new List<Tensor>(width);
        for (var k = 0; k < width; k++)
        {
            var column = k;
            batch.Add(DataLoaderDevices.StackOn(list.Select(s => s[column]), device));
        }
        foreach (var t in batch) scope.MoveToOuter(t);
        return batch;
    }
}

/// <summary>Device helpers shared by the collate functions.</summary>
internal static class DataLoaderDevices
{
    /// <summary>Whether <paramref name="t"/> is already on <paramref name="device"/> (an index of -1 matches any index).</summary>
    internal static bool IsOn(Tensor t, Device device) =>
        t.device_type == device.type && (device.index < 0 || t.device_index == device.index || device.type == DeviceType.CPU);

    /// <summary>Stacks along a new first dimension and moves the result to <paramref name="device"/> (in the caller's scope).</summary>
    internal static Tensor StackOn(IEnumerable<Tensor> tensors, Device device)
    {
        var stacked = stack(tensors, 0);
        return IsOn(stacked, device) ? stacked : stacked.to(device);
    }
}
