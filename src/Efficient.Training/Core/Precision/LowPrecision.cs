using System;
using System.Threading;

namespace Efficient.Training;

/// <summary>
/// Mixed precision by explicit casts, the library's stand-in for autocast (which TorchSharp lacks):
/// an ambient low-precision context plus the layers and helpers that honour it. Inside
/// <see cref="Enable"/>, the matmul and convolution layers prepared by <see cref="Apply"/> (and
/// code that calls <see cref="Linear"/> or <see cref="Cast"/>) cast their floating inputs, weights
/// and biases to the context's dtype and compute there; the parameters themselves stay float32 and
/// receive float32 gradients through the casts. Outside the context everything computes exactly as
/// before. See <c>Core/Precision/README.md</c> for the policy (what is lowered, what stays float32).
/// </summary>
/// <remarks>
/// The context is scoped to the current thread and async flow (an <see cref="AsyncLocal{T}"/>):
/// tasks and threads started inside it inherit it; other threads do not see it. Scopes nest; each
/// <see cref="IDisposable.Dispose"/> restores what was in effect before it.
/// </remarks>
/// <example>
/// <code>
/// LowPrecision.Apply(model);                        // once: Linear/Conv layers learn to cast
/// using (LowPrecision.Enable(ScalarType.BFloat16))
/// {
///     var logits = model.call(x);                   // bfloat16 matmuls, float32 weights
///     loss = cross_entropy(logits.to(ScalarType.Float32), y);
/// }
/// loss.backward();                                  // float32 gradients on float32 parameters
/// </code>
/// </example>
public static class LowPrecision
{
    private static readonly AsyncLocal<ScalarType?> Current = new();

    /// <summary>
    /// Turns the low-precision context on (with <paramref name="dtype"/>) until the returned object is
    /// disposed, which restores the previous setting.
    /// </summary>
    /// <param name="dtype">The compute precision: <see cref="ScalarType.BFloat16"/> (the default) or <see cref="ScalarType.Float16"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not a 16-bit floating type.</exception>
    public static IDisposable Enable(ScalarType dtype = ScalarType.BFloat16)
    {
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"LowPrecision.Enable: dtype {dtype} is not a low precision; expected ScalarType.BFloat16 or ScalarType.Float16.", nameof(dtype));
        return Set(dtype);
    }

    /// <summary>
    /// Turns the low-precision context off until the returned object is disposed (which restores the
    /// previous setting), e.g. to compute a numerically sensitive part in float32 inside a
    /// low-precision forward pass.
    /// </summary>
    public static IDisposable Disable() => Set(null);

    /// <summary>Whether the low-precision context is on for the current thread / async flow.</summary>
    public static bool IsEnabled => Current.Value.HasValue;

    /// <summary>The compute precision of the context in effect, or null when it is off.</summary>
    public static ScalarType? Dtype => Current.Value;

    /// <summary>
    /// <paramref name="tensor"/> in the context's precision when the context is on and the tensor is
    /// a castable floating type (float32, float16, bfloat16; float64 and complex are left as they
    /// are, as autocast does); otherwise <paramref name="tensor"/> itself. The cast is differentiable:
    /// gradients flow back to <paramref name="tensor"/> in its own precision.
    /// </summary>
    /// <param name="tensor">The tensor to cast.</param>
    public static Tensor Cast(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return Current.Value is { } dtype && tensor.dtype != dtype && IsCastable(tensor.dtype) ? tensor.to(dtype) : tensor;
    }

    /// <summary>
    /// <c>nn.functional.linear(input, weight, bias)</c> computed in the context's precision when it is
    /// on (input, weight and bias cast; the result has the low precision), or exactly as
    /// <c>linear</c> otherwise. For custom modules that call <c>linear</c> themselves (a tied decoder,
    /// a fused projection) and want the same treatment as the layers <see cref="Apply"/> prepares.
    /// </summary>
    /// <param name="input">The input <c>[..., in]</c>.</param>
    /// <param name="weight">The weight <c>[out, in]</c> (stays in its own precision; only a cast copy is used).</param>
    /// <param name="bias">The optional bias <c>[out]</c>.</param>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (!Lowers(input, weight)) return nn.functional.linear(input, weight, bias);
        using var scope = NewDisposeScope();
        return nn.functional.linear(Cast(input), Cast(weight), bias is null ? null : Cast(bias)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Prepares <paramref name="model"/> for the context, in place (what the Trainer does at fit
    /// start under <see cref="Precision.Bf16Autocast"/>): every <c>Linear</c>, <c>Conv1d</c>,
    /// <c>Conv2d</c> and <c>Conv3d</c> below the model whose parent holds it in a field that can take
    /// another module type (<c>nn.Module&lt;Tensor, Tensor&gt;</c>, a <c>Sequential</c>) is replaced by
    /// a layer that computes in the context's precision while the context is on and exactly as before
    /// otherwise, keeping the same parameter objects under the same names (optimizers and state dicts
    /// stay valid). Modules that keep float32 (LayerNorm, GroupNorm, layers that cannot be replaced,
    /// other modules with float32 parameters of their own) get a forward pre-hook that, while the
    /// context is on, casts a low-precision floating input to their parameters' precision, so
    /// low-precision activations never meet float32 weights in an op that rejects mixed types.
    /// BatchNorm takes low-precision input with float32 statistics as it is. Applying twice changes
    /// nothing more.
    /// </summary>
    /// <param name="model">The model to prepare.</param>
    /// <returns>How many layers now compute in low precision (0 when there are none).</returns>
    public static int Apply(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return LowPrecisionSurgery.Apply(new ModelSurgery(model));
    }

    /// <summary>Whether a layer with this input and weight computes in low precision now.</summary>
    internal static bool Lowers(Tensor input, Tensor weight) =>
        Current.Value.HasValue && IsCastable(input.dtype) && IsCastable(weight.dtype);

    internal static bool IsCastable(ScalarType dtype) => dtype is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16;

    private static IDisposable Set(ScalarType? dtype)
    {
        var previous = Current.Value;
        Current.Value = dtype;
        return new Restore(previous);
    }

    private sealed class Restore : IDisposable
    {
        private readonly ScalarType? _previous;
        private bool _done;

        public Restore(ScalarType? previous) => _previous = previous;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            Current.Value = _previous;
        }
    }
}
