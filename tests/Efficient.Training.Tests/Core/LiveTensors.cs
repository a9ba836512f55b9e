namespace Efficient.Training.Tests.Core;

/// <summary>The leak probe of the lifetime tests.</summary>
internal static class LiveTensors
{
    /// <summary>
    /// After a full garbage collection (finalizers run): the live TorchSharp tensors. Every native
    /// tensor the library creates is owned by a managed <c>Tensor</c>, so a leaked native tensor
    /// shows up here as a live managed one.
    /// </summary>
    public static long Count()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.TotalCount;
    }
}
