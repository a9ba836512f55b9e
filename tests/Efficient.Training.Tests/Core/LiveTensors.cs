namespace Efficient.Training.Tests.Core;

/// <summary>The leak probe of the lifetime tests.</summary>
internal static class LiveTensors
{
    /// <summary>After a full garbage collection (finalizers run): the live managed tensors and the live native tensors.</summary>
    public static (long managed, long native) Count()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return (Tensor.TotalCount, Tensor.NativeLiveCount);
    }
}
