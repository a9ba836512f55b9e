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
