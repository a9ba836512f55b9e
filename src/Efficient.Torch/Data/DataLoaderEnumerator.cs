using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>
/// One epoch of a <see cref="DataLoader{T, S}"/>. Thin wrapper over a <see cref="BatchPipeline{T, S}"/>
/// so that an enumerator dropped without <c>Dispose</c> still stops its workers (finalizer).
/// </summary>
internal sealed class DataLoaderEnumerator<T, S> : IEnumerator<S>
{
    private readonly DataLoader<T, S> _loader;
    private BatchPipeline<T, S>? _pipeline;
    private List<(Tensor tensor, DisposeScope? scope)> _current = new();
    private S? _currentBatch;
    private DisposeScope? _holding;
    private bool _finished;
    private bool _disposed;

    public DataLoaderEnumerator(DataLoader<T, S> loader) => _loader = loader;

    public S Current => _currentBatch!;

    object IEnumerator.Current => _currentBatch!;

    public bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReleaseCurrent();
        if (_finished) return false;
        _pipeline ??= new BatchPipeline<T, S>(_loader);
        BatchPipeline<T, S>.Produced? produced;
        try
        {
            produced = _pipeline.Next();
        }
        catch
        {
            Finish();
            throw;
        }
        if (produced is null)
        {
            Finish();
            return false;
        }
        if (produced.Error is not null)
        {
            Finish();
            throw new InvalidOperationException(
                $"The data loader failed while preparing batch {produced.Sequence.ToString(CultureInfo.InvariantCulture)} " +
                $"(dataset indices {BatchPipeline<T, S>.Describe(produced.Indices)}): {produced.Error.GetType().Name}: {produced.Error.Message}",
                produced.Error);
        }

        // Hand the batch's tensors to the consumer: attach them to this thread's current scope. With no
        // scope and DisposeBatch, a private holding scope (never current on any thread) keeps them, so a
        // consumer can still take a tensor over by detaching it.
        var scope = CurrentDisposeScope;
        if (scope is null && _loader.DisposeBatch) scope = _holding ??= new DisposeScope(DisposeScopeManager.ThreadSingleton, null);
        foreach (var t in produced.Owned)
        {
            if (t.IsInvalid) continue;
            t.MoveToOtherDisposeScope(scope);
            _current.Add((t, scope));
        }
        _currentBatch = produced.Batch;
        return true;
    }

    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReleaseCurrent();
        _pipeline?.Stop(join: true);
        _pipeline = null;
        _finished = false;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        ReleaseCurrent();
        _pipeline?.Stop(join: true);
        _pipeline = null;
        _holding?.Dispose();
        _holding = null;
        GC.SuppressFinalize(this);
    }

    ~DataLoaderEnumerator()
    {
        // Abandoned without Dispose: stop the workers; they free what they still hold.
        _pipeline?.Stop(join: false);
    }

    private void Finish()
    {
        _finished = true;
        _pipeline?.Stop(join: true);
        _pipeline = null;
    }

    /// <summary>With DisposeBatch, disposes the previous batch's tensors that are still where they were put.</summary>
    private void ReleaseCurrent()
    {
        if (_loader.DisposeBatch)
        {
            foreach (var (t, scope) in _current)
                if (!t.IsInvalid && ReferenceEquals(t.OwningDisposeScope, scope)) t.Dispose();
        }
        _current = new List<(Tensor, DisposeScope?)>();
        _currentBatch = default;
    }
}

/// <summary>
/// Prepares the batches of one epoch, in order, on worker threads (or inline with no workers).
/// Batches are numbered when their indices are claimed; a worker claims a batch only while fewer than
/// the capacity are claimed-but-unconsumed, and the consumer takes them strictly by number.
/// </summary>
internal sealed class BatchPipeline<T, S>
{
    internal sealed class Produced
    {
        public Produced(long sequence, long[] indices, S? batch, List<Tensor> owned, Exception? error)
        {
            Sequence = sequence;
            Indices = indices;
            Batch = batch;
            Owned = owned;
            Error = error;
        }

        public long Sequence { get; }
        public long[] Indices { get; }
        public S? Batch { get; }
        /// <summary>Every tensor created while the batch was collated and still alive (detached from all scopes).</summary>
        public List<Tensor> Owned { get; }
        public Exception? Error { get; }

        public void Release()
        {
            foreach (var t in Owned) t.Dispose();
            Owned.Clear();
        }
    }

    private readonly DataLoader<T, S> _loader;
    private readonly object _gate = new();
    private readonly Dictionary<long, Produced> _ready = new();
    private readonly IEnumerator<long> _order;
    private readonly int _capacity;
    private readonly Thread[] _workers;
    private long _nextClaim;
    private long _nextConsume;
    private long _end = long.MaxValue;
    private int _claimedUnconsumed;
    private int _liveWorkers;
    private bool _exhausted;
    private bool _stopped;

    public BatchPipeline(DataLoader<T, S> loader)
    {
        _loader = loader;
        // The epoch's order is fixed here, on the consumer's thread (a shuffled sampler draws its permutation now).
        _order = loader.sampler.GetEnumerator();
        var workers = loader.num_workers;
        _capacity = Math.Max(2 * workers, 1);
        _workers = new Thread[workers];
        _liveWorkers = workers;
        for (var i = 0; i < workers; i++)
        {
            _workers[i] = new Thread(WorkerLoop)
            {
                IsBackground = true,
                Name = $"DataLoader worker {i.ToString(CultureInfo.InvariantCulture)}",
            };
        }
        foreach (var w in _workers) w.Start();
    }

    /// <summary>The next batch in order, or null at the end of the epoch.</summary>
    public Produced? Next()
    {
        if (_workers.Length == 0) return NextInline();
        lock (_gate)
        {
            while (true)
            {
                if (_ready.Remove(_nextConsume, out var produced))
                {
                    _nextConsume++;
                    _claimedUnconsumed--;
                    Monitor.PulseAll(_gate);
                    return produced;
                }
                if (_nextConsume >= _end) return null;
                if (_stopped) return null;
                if (_liveWorkers == 0)
                    throw new InvalidOperationException($"The data loader's workers stopped before producing batch {_nextConsume.ToString(CultureInfo.InvariantCulture)}.");
                Monitor.Wait(_gate);
            }
        }
    }

    private Produced? NextInline()
    {
        long sequence;
        long[] indices;
        lock (_gate)
        {
            if (!TryClaim(out sequence, out indices, out var claimError)) return claimError;
        }
        var produced = Produce(sequence, indices);
        lock (_gate)
        {
            _claimedUnconsumed--;
            _nextConsume++;
        }
        return produced;
    }

    /// <summary>Stops the workers; with <paramref name="join"/>, waits for them and frees every prepared batch.</summary>
    public void Stop(bool join)
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.PulseAll(_gate);
        }
        if (join)
        {
            foreach (var w in _workers) w.Join();
        }
        List<Produced> pending;
        lock (_gate)
        {
            pending = _ready.Values.ToList();
            _ready.Clear();
        }
        foreach (var p in pending) p.Release();
        if (join) _order.Dispose();
    }

    /// <summary>Claims the next batch's indices (call under the lock). False at the end; <paramref name="error"/> when the sampler failed.</summary>
    private bool TryClaim(out long sequence, out long[] indices, out Produced? error)
    {
        sequence = _nextClaim;
        indices = Array.Empty<long>();
        error = null;
        if (_stopped || _exhausted) return false;
        var batchSize = _loader.batch_size;
        var taken = new List<long>(batchSize);
        try
        {
            while (taken.Count < batchSize && _order.MoveNext()) taken.Add(_order.Current);
        }
        catch (Exception e)
        {
            _exhausted = true;
            _end = sequence + 1;
            _nextClaim++;
            _claimedUnconsumed++;
            error = new Produced(sequence, taken.ToArray(), default, new List<Tensor>(), e);
            return false;
        }
        if (taken.Count == 0 || (_loader.drop_last && taken.Count < batchSize))
        {
            _exhausted = true;
            _end = sequence;
            return false;
        }
        indices = taken.ToArray();
        _nextClaim++;
        _claimedUnconsumed++;
        return true;
    }

    private void WorkerLoop()
    {
        try
        {
            while (true)
            {
                long sequence;
                long[] indices;
                lock (_gate)
                {
                    while (!_stopped && !_exhausted && _claimedUnconsumed >= _capacity) Monitor.Wait(_gate);
                    if (!TryClaim(out sequence, out indices, out var claimError))
                    {
                        if (claimError is not null) _ready[claimError.Sequence] = claimError;
                        Monitor.PulseAll(_gate);
                        return;
                    }
                }
                var produced = Produce(sequence, indices);
                lock (_gate)
                {
                    if (_stopped)
                    {
                        produced.Release();
                    }
                    else
                    {
                        _ready[sequence] = produced;
                        if (produced.Error is not null)
                        {
                            // Nothing after a failed batch is handed out: stop claiming.
                            _exhausted = true;
                            _end = Math.Min(_end, sequence + 1);
                        }
                    }
                    Monitor.PulseAll(_gate);
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _liveWorkers--;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>
    /// Fetches and collates one batch on the calling thread. Samples and intermediates are disposed
    /// here; the tensors still alive from the collation are detached and listed in <see cref="Produced.Owned"/>.
    /// </summary>
    private Produced Produce(long sequence, long[] indices)
    {
        var owned = new List<Tensor>();
        try
        {
            // Samples (and anything GetTensor creates) belong to this scope and are freed once the batch is built.
            using var samplesScope = NewDisposeScope();
            S batch;
            if (_loader.BatchFetcher is { } fetch)
            {
                using var collateScope = NewDisposeScope();
                batch = fetch(indices, _loader.Device);
                Detach(collateScope, owned);
            }
            else
            {
                var samples = new T[indices.Length];
                for (var i = 0; i < indices.Length; i++) samples[i] = _loader.dataset.GetTensor(indices[i]);
                using var collateScope = NewDisposeScope();
                batch = _loader.collate_fn(samples, _loader.Device);
                Detach(collateScope, owned);
            }
            return new Produced(sequence, indices, batch, owned, null);
        }
        catch (Exception e)
        {
            foreach (var t in owned) t.Dispose();
            return new Produced(sequence, indices, default, new List<Tensor>(), e);
        }
    }

    private static void Detach(DisposeScope scope, List<Tensor> owned)
    {
        foreach (var d in scope.DisposablesView)
        {
            if (d is not Tensor t) continue;
            t.DetachFromDisposeScope();
            owned.Add(t);
        }
    }

    internal static string Describe(long[] indices)
    {
        const int shown = 8;
        var head = string.Join(", ", indices.Take(shown).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        return indices.Length > shown ? $"[{head}, ... ({indices.Length.ToString(CultureInfo.InvariantCulture)} in all)]" : $"[{head}]";
    }
}
