using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>How weights are quantized.</summary>
public enum QuantizationScheme
{
    /// <summary>One scale and zero point for the whole tensor, from its min and max.</summary>
    PerTensorAffine,
    /// <summary>One scale for the whole tensor, zero point 0, from max(|min|, |max|).</summary>
    PerTensorSymmetric,
    /// <summary>One scale and zero point per output channel (dimension 0).</summary>
    PerChannelAffine,
    /// <summary>One scale per output channel (dimension 0), zero point 0.</summary>
    PerChannelSymmetric,
}

/// <summary>
/// Quantization-aware training (Jacob et al., 2018): the forward pass sees weights and activations
/// rounded to 8-bit integers ("fake quantization": quantize then dequantize, in float), while the
/// backward pass uses the straight-through estimator, so the network learns to be accurate after
/// integer quantization. <see cref="Prepare"/> wraps <c>Conv2d</c> and <c>Linear</c> layers; each
/// wrapped layer fake-quantizes its weight (from the weight's current min/max) and its output (from
/// a <see cref="MovingAverageMinMaxObserver"/>).
/// </summary>
public static class QuantizationAwareTraining
{
    /// <summary>float32 machine epsilon: the smallest scale (as PyTorch's observers).</summary>
    public const float Eps = 1.1920928955078125e-07f;

    /// <summary>
    /// The scale and zero point that map [<paramref name="min"/>, <paramref name="max"/>] (widened to
    /// include 0) onto [<paramref name="quantMin"/>, <paramref name="quantMax"/>], computed in float32
    /// exactly as PyTorch's observers (<c>_calculate_qparams</c>): affine
    /// <c>scale = (max − min) / (qmax − qmin)</c>, <c>zero_point = clamp(qmin − round(min / scale))</c>;
    /// symmetric <c>scale = max(−min, max) / ((qmax − qmin) / 2)</c> with zero point 0 for a signed range
    /// (<c>(qmin + qmax + 1) / 2</c>, e.g. 128, for an unsigned one). The scale is at least <see cref="Eps"/>.
    /// </summary>
    /// <param name="min">The observed minimum.</param>
    /// <param name="max">The observed maximum (≥ <paramref name="min"/>).</param>
    /// <param name="quantMin">The smallest quantized value (e.g. 0, or -128).</param>
    /// <param name="quantMax">The largest quantized value (e.g. 255, or 127).</param>
    /// <param name="symmetric">Symmetric (zero point fixed) or affine quantization.</param>
    public static (float scale, long zeroPoint) QuantizationParameters(float min, float max, long quantMin, long quantMax, bool symmetric = false)
    {
        if (quantMin >= quantMax) throw new ArgumentException($"quantMin ({quantMin}) must be less than quantMax ({quantMax}).", nameof(quantMin));
        if (float.IsNaN(min) || float.IsNaN(max)) throw new ArgumentException("The observed min and max must be numbers.", nameof(min));
        if (float.IsPositiveInfinity(min) && float.IsNegativeInfinity(max)) return (1f, 0);
        if (max < min) throw new ArgumentException($"The observed max ({max}) is below the min ({min}).", nameof(max));
        var minNeg = Math.Min(min, 0f);
        var maxPos = Math.Max(max, 0f);
        if (symmetric)
        {
            maxPos = Math.Max(-minNeg, maxPos);
            var scale = Math.Max(maxPos / ((float)(quantMax - quantMin) / 2f), Eps);
            return (scale, quantMin < 0 ? 0 : (quantMin + quantMax + 1) / 2);
        }
        else
        {
            var scale = Math.Max((maxPos - minNeg) / (float)(quantMax - quantMin), Eps);
            var zeroPoint = quantMin - (long)MathF.Round(minNeg / scale);
            return (scale, Math.Clamp(zeroPoint, quantMin, quantMax));
        }
    }

    /// <summary>The quantized range of a signed (weights) or unsigned (activations) integer of <paramref name="bits"/> bits.</summary>
    /// <param name="bits">The bit width, in [2, 16].</param>
    /// <param name="signed">[−2^(b−1), 2^(b−1) − 1] (true) or [0, 2^b − 1] (false).</param>
    public static (long quantMin, long quantMax) Range(int bits, bool signed)
    {
        if (bits < 2 || bits > 16) throw new ArgumentOutOfRangeException(nameof(bits), bits, "The bit width must be in [2, 16].");
        return signed ? (-(1L << (bits - 1)), (1L << (bits - 1)) - 1) : (0, (1L << bits) - 1);
    }

    /// <summary>
    /// Fake-quantizes <paramref name="x"/> with one scale and zero point:
    /// <c>(clamp(round(x / scale) + zero_point, qmin, qmax) − zero_point) · scale</c>; the gradient passes
    /// where the value is within [qmin, qmax] after scaling and is zero outside (PyTorch's
    /// <c>fake_quantize_per_tensor_affine</c>).
    /// </summary>
    /// <param name="x">A float32 tensor.</param>
    /// <param name="scale">The quantization step (&gt; 0).</param>
    /// <param name="zeroPoint">The quantized value of 0.</param>
    /// <param name="quantMin">The smallest quantized value.</param>
    /// <param name="quantMax">The largest quantized value.</param>
    public static Tensor FakeQuantize(Tensor x, double scale, long zeroPoint, long quantMin, long quantMax)
    {
        ArgumentNullException.ThrowIfNull(x);
        return FakeQuant.PerTensor(x, scale, zeroPoint, quantMin, quantMax);
    }

    /// <summary>
    /// Fake-quantizes a weight with the scale(s) and zero point(s) of its current min and max
    /// (per tensor, or per output channel = dimension 0), in the signed range of <paramref name="bits"/> bits.
    /// </summary>
    /// <param name="weight">The float32 weight (e.g. <c>[out, in]</c> or <c>[out, in, kh, kw]</c>).</param>
    /// <param name="scheme">Per tensor or per channel, symmetric or affine.</param>
    /// <param name="bits">The bit width, in [2, 16] (default 8: [−128, 127]).</param>
    public static Tensor FakeQuantizeWeight(Tensor weight, QuantizationScheme scheme = QuantizationScheme.PerChannelSymmetric, int bits = 8)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var (qmin, qmax) = Range(bits, signed: true);
        var (scale, zeroPoint) = WeightParameters(weight, scheme, qmin, qmax);
        return FakeQuantizeWeight(weight, scheme, scale, zeroPoint, qmin, qmax);
    }

    /// <summary>
    /// Wraps the <c>Conv2d</c> and <c>Linear</c> layers of <paramref name="model"/> (as the options
    /// select) in fake-quantizing layers, and returns how many of each were wrapped. Layers already
    /// wrapped are left alone. Use it in a hand-written loop before building the optimizer.
    /// </summary>
    /// <param name="model">The model to change in place.</param>
    /// <param name="options">What to wrap and how to quantize (defaults: 8-bit per-channel symmetric weights, 8-bit affine activations).</param>
    public static (int convolutions, int linears) Prepare(nn.Module model, QuantizationAwareTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new QuantizationAwareTrainingOptions();
        options.Validate();
        return Wrap(model, options, new ModelSurgery(model));
    }

    /// <summary>Turns fake quantization of every wrapped layer of <paramref name="model"/> on or off (off: the layers compute in float).</summary>
    /// <param name="model">A model prepared with <see cref="Prepare"/>.</param>
    /// <param name="enabled">Whether weights and activations are fake-quantized.</param>
    public static void SetFakeQuantization(nn.Module model, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var layer in Layers(model)) layer.FakeQuantize = enabled;
    }

    /// <summary>Lets the observers of every wrapped layer update (in training mode), or freezes their scales and zero points.</summary>
    /// <param name="model">A model prepared with <see cref="Prepare"/>.</param>
    /// <param name="enabled">Whether the observers update.</param>
    public static void SetObservers(nn.Module model, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var layer in Layers(model)) layer.Observe = enabled;
    }

    internal static IEnumerable<FakeQuantizedLayer> Layers(nn.Module model) => model.modules().OfType<FakeQuantizedLayer>();

    internal static (int convolutions, int linears) Wrap(nn.Module model, QuantizationAwareTrainingOptions options, ModelSurgery surgery)
    {
        var wrapped = new List<string>();
        var skipped = new List<string>();
        int convs = 0, linears = 0;
        foreach (var (path, module) in model.named_modules().ToList())
        {
            if (path.Length == 0) continue;
            if (module is FakeQuantizedLayer)
            {
                wrapped.Add(path);
                continue;
            }
            if (wrapped.Any(w => path.StartsWith(w + ".", StringComparison.Ordinal))) continue;
            if (options.ExcludeNames.Any(x => path == x || path.StartsWith(x + ".", StringComparison.Ordinal))) continue;
            var isConv = module is Conv2d && options.WrapConvolutions;
            var isLinear = module is Linear && options.WrapLinears;
            if (!isConv && !isLinear) continue;
            if (!ParentCanHoldAWrapper(model, path, module))
            {
                skipped.Add(path);
                continue;
            }
            surgery.Replace(path, isConv ? new FakeQuantizedLayer((Conv2d)module, options) : new FakeQuantizedLayer((Linear)module, options));
            wrapped.Add(path);
            if (isConv) convs++;
            else linears++;
        }
        surgery.Note($"wrapped {convs} convs, {linears} linears"
            + (skipped.Count == 0 ? "" : $"; left {string.Join(", ", skipped)} in float (held in a field of a concrete layer type: declare it as nn.Module<Tensor, Tensor> to allow the wrapper)"));
        return (convs, linears);
    }

    /// <summary>Whether every field of the parent that holds <paramref name="child"/> can hold a <see cref="FakeQuantizedLayer"/> instead.</summary>
    private static bool ParentCanHoldAWrapper(nn.Module root, string path, nn.Module child)
    {
        var parent = root;
        var parts = path.Split('.');
        foreach (var part in parts[..^1])
            parent = parent.named_children().FirstOrDefault(c => c.name == part).module ?? root;
        for (var type = parent.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
            foreach (var field in type.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly))
                if (ReferenceEquals(field.GetValue(parent), child) && !field.FieldType.IsAssignableFrom(typeof(FakeQuantizedLayer)))
                    return false;
        return true;
    }

    internal static (Tensor scale, Tensor zeroPoint) WeightParameters(Tensor weight, QuantizationScheme scheme, long qmin, long qmax)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var symmetric = scheme is QuantizationScheme.PerTensorSymmetric or QuantizationScheme.PerChannelSymmetric;
        float[] mins, maxs;
        if (scheme is QuantizationScheme.PerTensorAffine or QuantizationScheme.PerTensorSymmetric)
        {
            mins = new[] { weight.detach().min().ToSingle() };
            maxs = new[] { weight.detach().max().ToSingle() };
        }
        else
        {
            var flat = weight.detach().reshape(weight.shape[0], -1);
            mins = flat.min(1).values.to_type(ScalarType.Float32).data<float>().ToArray();
            maxs = flat.max(1).values.to_type(ScalarType.Float32).data<float>().ToArray();
        }
        var scales = new float[mins.Length];
        var zeroPoints = new int[mins.Length];
        for (var i = 0; i < mins.Length; i++)
        {
            var (s, z) = QuantizationParameters(mins[i], maxs[i], qmin, qmax, symmetric);
            scales[i] = s;
            zeroPoints[i] = (int)z;
        }
        return (tensor(scales).MoveToOuterDisposeScope(), tensor(zeroPoints).MoveToOuterDisposeScope());
    }

    internal static Tensor FakeQuantizeWeight(Tensor weight, QuantizationScheme scheme, Tensor scale, Tensor zeroPoint, long qmin, long qmax) =>
        scheme is QuantizationScheme.PerTensorAffine or QuantizationScheme.PerTensorSymmetric
            ? FakeQuant.PerTensor(weight, scale.ToSingle(), zeroPoint.to_type(ScalarType.Int64).ToInt64(), qmin, qmax)
            : FakeQuant.PerChannel(weight, scale.to(weight.device), zeroPoint.to(weight.device), 0, qmin, qmax);
}

/// <summary>
/// Tracks the range of a tensor (activations) as PyTorch's <c>MovingAverageMinMaxObserver</c>: the first
/// observation sets min and max, each later one moves them by <c>c · (current − previous)</c> (float32),
/// and <see cref="QuantizationParameters"/> gives the affine scale and zero point of that range.
/// </summary>
public sealed class MovingAverageMinMaxObserver : IDisposable
{
    /// <summary>Creates an observer.</summary>
    /// <param name="averagingConstant">c in (0, 1] (PyTorch's default 0.01).</param>
    /// <param name="quantMin">The smallest quantized value (default 0, quint8).</param>
    /// <param name="quantMax">The largest quantized value (default 255).</param>
    public MovingAverageMinMaxObserver(double averagingConstant = 0.01, long quantMin = 0, long quantMax = 255)
        : this(averagingConstant, quantMin, quantMax, tensor(float.PositiveInfinity), tensor(float.NegativeInfinity))
    {
    }

    internal MovingAverageMinMaxObserver(double averagingConstant, long quantMin, long quantMax, Tensor min, Tensor max)
    {
        if (!(averagingConstant > 0 && averagingConstant <= 1)) throw new ArgumentOutOfRangeException(nameof(averagingConstant), averagingConstant, "The averaging constant must be in (0, 1].");
        if (quantMin >= quantMax) throw new ArgumentException($"quantMin ({quantMin}) must be less than quantMax ({quantMax}).", nameof(quantMin));
        AveragingConstant = averagingConstant;
        QuantMin = quantMin;
        QuantMax = quantMax;
        MinTensor = min;
        MaxTensor = max;
    }

    /// <summary>c, the weight of each new observation.</summary>
    public double AveragingConstant { get; }

    /// <summary>The smallest quantized value.</summary>
    public long QuantMin { get; }

    /// <summary>The largest quantized value.</summary>
    public long QuantMax { get; }

    internal Tensor MinTensor { get; }

    internal Tensor MaxTensor { get; }

    /// <summary>The tracked minimum (+∞ before the first observation).</summary>
    public float Min => MinTensor.ToSingle();

    /// <summary>The tracked maximum (−∞ before the first observation).</summary>
    public float Max => MaxTensor.ToSingle();

    /// <summary>Whether anything was observed yet.</summary>
    public bool HasObserved => !float.IsPositiveInfinity(Min);

    /// <summary>Updates the tracked range with <paramref name="x"/> (not differentiated).</summary>
    public void Observe(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var d = x.detach().to_type(ScalarType.Float32);
        var currentMin = d.min();
        var currentMax = d.max();
        if (!HasObserved)
        {
            MinTensor.copy_(currentMin);
            MaxTensor.copy_(currentMax);
        }
        else
        {
            MinTensor.copy_(MinTensor + (currentMin - MinTensor) * AveragingConstant);
            MaxTensor.copy_(MaxTensor + (currentMax - MaxTensor) * AveragingConstant);
        }
    }

    /// <summary>The affine scale and zero point of the tracked range (scale 1, zero point 0 before any observation, as PyTorch).</summary>
    public (float scale, long zeroPoint) QuantizationParameters() =>
        QuantizationAwareTraining.QuantizationParameters(Min, Max, QuantMin, QuantMax, symmetric: false);

    /// <summary>Frees the tracked range.</summary>
    public void Dispose()
    {
        MinTensor.Dispose();
        MaxTensor.Dispose();
    }
}
