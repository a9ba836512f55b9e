using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

/// <summary>
/// Automatic mixed precision: inside <see cref="Enable"/>, eligible ops (matmul, convolution,
/// linear, ...) run in a lower precision (bfloat16 on the CPU; bfloat16 or float16 on CUDA) while
/// weights stay float32. Not part of TorchSharp's subset, hence its own class.
/// </summary>
public static class Autocast
{
    /// <summary>Turns autocast on for <paramref name="device"/> until the returned object is disposed (which restores the previous setting).</summary>
    public static IDisposable Enable(DeviceType device = DeviceType.CPU, torch.ScalarType dtype = torch.ScalarType.BFloat16)
    {
        if (device is not (DeviceType.CPU or DeviceType.CUDA))
            throw new ArgumentException($"Autocast supports the CPU and CUDA devices, not {device}.", nameof(device));
        if (dtype is not (torch.ScalarType.BFloat16 or torch.ScalarType.Float16))
            throw new ArgumentException($"Autocast lowers precision to bfloat16 or float16, not {dtype}.", nameof(dtype));
        Native.Check(Native.ets_autocast_set((int)device, 1, (int)dtype, out var prevEnabled, out var prevDtype));
        return new Restore(device, prevEnabled, prevDtype);
    }

    /// <summary>Whether autocast is on for <paramref name="device"/> on this thread.</summary>
    public static bool IsEnabled(DeviceType device = DeviceType.CPU)
    {
        var rc = Native.ets_autocast_is_enabled((int)device);
        Native.Check(rc);
        return rc == 1;
    }

    /// <summary>
    /// The lower precision autocast uses for <paramref name="device"/> on this thread (bfloat16 by
    /// default on the CPU), whether or not autocast is currently on.
    /// </summary>
    public static torch.ScalarType GetDtype(DeviceType device = DeviceType.CPU)
    {
        if (device is not (DeviceType.CPU or DeviceType.CUDA))
            throw new ArgumentException($"Autocast supports the CPU and CUDA devices, not {device}.", nameof(device));
        // The shim reports the previous setting when it changes it: set it to what it was.
        var enabled = IsEnabled(device) ? 1 : 0;
        Native.Check(Native.ets_autocast_set((int)device, enabled, (int)torch.ScalarType.BFloat16, out var prevEnabled, out var prevDtype));
        Native.Check(Native.ets_autocast_set((int)device, prevEnabled, prevDtype, out _, out _));
        return (torch.ScalarType)prevDtype;
    }

    /// <summary>
    /// Turns autocast off for <paramref name="device"/> until the returned object is disposed (which
    /// restores the previous setting), e.g. to run an op in the precision its inputs already have.
    /// </summary>
    public static IDisposable Disable(DeviceType device = DeviceType.CPU)
    {
        if (device is not (DeviceType.CPU or DeviceType.CUDA))
            throw new ArgumentException($"Autocast supports the CPU and CUDA devices, not {device}.", nameof(device));
        var dtype = GetDtype(device);
        Native.Check(Native.ets_autocast_set((int)device, 0, (int)dtype, out var prevEnabled, out var prevDtype));
        return new Restore(device, prevEnabled, prevDtype);
    }

    private sealed class Restore : IDisposable
    {
        private readonly DeviceType _device;
        private readonly int _enabled, _dtype;
        private bool _done;

        public Restore(DeviceType device, int enabled, int dtype) => (_device, _enabled, _dtype) = (device, enabled, dtype);

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            Native.Check(Native.ets_autocast_set((int)_device, _enabled, _dtype, out _, out _));
        }
    }
}
