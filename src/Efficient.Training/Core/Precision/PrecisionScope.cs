using System;

namespace Efficient.Training;

/// <summary>
/// Applies the run's <see cref="Precision"/>: prepares the model at fit start, turns the
/// <see cref="LowPrecision"/> context on around the forward pass, and hands the loss float32 outputs.
/// </summary>
internal static class PrecisionScope
{
    private sealed class Nothing : IDisposable
    {
        public static readonly Nothing Instance = new();
        public void Dispose() { }
    }

    /// <summary>The compute precision of the forward pass, or null for float32 runs.</summary>
    public static ScalarType? Dtype(Precision precision) => precision switch
    {
        Precision.Fp32 => null,
        Precision.Bf16Autocast => ScalarType.BFloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, $"Precision {precision} is unknown; expected Fp32 or Bf16Autocast."),
    };

    /// <summary>At fit start, after the algorithms' surgery and before the optimizer is built: lowers the model's layers (low-precision runs only).</summary>
    public static void Prepare(Precision precision, ModelSurgery surgery)
    {
        if (Dtype(precision) is not null) LowPrecisionSurgery.Apply(surgery);
    }

    /// <summary>The context for one forward pass (nothing in float32 runs).</summary>
    public static IDisposable Enter(Precision precision) =>
        Dtype(precision) is { } dtype ? LowPrecision.Enable(dtype) : Nothing.Instance;

    /// <summary><paramref name="outputs"/> as the loss and the metrics get them: a 16-bit floating output cast to float32.</summary>
    public static Tensor ForLoss(Precision precision, Tensor outputs) =>
        Dtype(precision) is not null && outputs.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? outputs.to(ScalarType.Float32) : outputs;
}
