using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace Efficient.Torch.Tests.Data;

/// <summary>Sample i = [ float tensor of shape [2] holding (i, -i), int64 scalar i ]. Counts and records calls.</summary>
internal sealed class RangeDataset : utils.data.IterableDataset
{
    private readonly long _count;
    private readonly Func<long, Exception?>? _failAt;
    private readonly int _delayMs;
    private int _calls;

    public RangeDataset(long count, Func<long, Exception?>? failAt = null, int delayMs = 0)
    {
        _count = count;
        _failAt = failAt;
        _delayMs = delayMs;
    }

    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentDictionary<int, bool> Threads { get; } = new();

    public bool Disposed { get; private set; }

    public override long Count => _count;

    public override IList<Tensor> GetTensor(long index)
    {
        Interlocked.Increment(ref _calls);
        Threads[Environment.CurrentManagedThreadId] = true;
        if (_delayMs > 0) Thread.Sleep(_delayMs);
        if (_failAt?.Invoke(index) is { } error) throw error;
        return new List<Tensor> { tensor(new float[] { index, -index }), tensor(index) };
    }

    protected override void Dispose(bool disposing) => Disposed = true;
}

/// <summary>Sample i = { "x": float [3] = (i, i, i), "y": int64 scalar i % 2 }.</summary>
internal sealed class DictionaryDataset : utils.data.Dataset
{
    private readonly long _count;

    public DictionaryDataset(long count) => _count = count;

    public override long Count => _count;

    public override Dictionary<string, Tensor> GetTensor(long index) => new()
    {
        ["x"] = full(new long[] { 3 }, (double)index, ScalarType.Float32),
        ["y"] = tensor(index % 2),
    };
}

internal sealed class DatasetFailure : Exception
{
    public DatasetFailure(string message) : base(message) { }
}

internal static class BatchReading
{
    /// <summary>The int64 labels of a batch (element 1 of an IterableDataLoader batch).</summary>
    public static long[] Labels(IList<Tensor> batch) => batch[1].data<long>().ToArray();

    /// <summary>Every batch's labels (the sample indices) for one epoch.</summary>
    public static List<long[]> Epoch(IEnumerable<IList<Tensor>> loader)
    {
        var result = new List<long[]>();
        foreach (var batch in loader) result.Add(Labels(batch));
        return result;
    }
}
