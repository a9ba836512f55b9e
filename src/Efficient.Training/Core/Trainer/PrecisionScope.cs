using System;

namespace Efficient.Training;

/// <summary>Applies the run's <see cref="Precision"/> to the forward pass and the loss.</summary>
internal static class PrecisionScope
{
    private sealed class Nothing : IDisposable
    {
        public static readonly Nothing Instance = new();
        public void Dispose() { }
    }

    public static IDisposable Enter(Precision precision, Tensor input)
    {
        if (precision == Precision.Fp32) return Nothing.Instance;
#if TORCHSHARP_BACKEND
        throw new NotSupportedException("Precision.Bf16Autocast is available with the native backend only.");
#else
        return Autocast.Enable(input.device_type, ScalarType.BFloat16);
#endif
    }
}
