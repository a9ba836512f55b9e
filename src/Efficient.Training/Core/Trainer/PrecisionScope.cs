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
        throw new NotSupportedException("Precision.Bf16Autocast is available with the native backend only.");
    }
}
