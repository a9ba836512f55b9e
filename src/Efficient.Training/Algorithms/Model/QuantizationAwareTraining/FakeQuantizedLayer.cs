using System;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// A Conv2d or Linear layer whose forward pass fake-quantizes its weight and its output. The wrapped
/// layer is registered as <c>module</c>; the weight's scale and zero point and the output observer's
/// min and max are buffers, so they are saved with the model.
/// </summary>
internal sealed class FakeQuantizedLayer : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly QuantizationScheme _scheme;
    private readonly long _weightMin, _weightMax;
    private readonly bool _quantizeActivations;
    private readonly Tensor _weightScale, _weightZeroPoint;
    private readonly MovingAverageMinMaxObserver _observer;

    public FakeQuantizedLayer(Linear linear, QuantizationAwareTrainingOptions options) : this((nn.Module<Tensor, Tensor>)linear, linear.weight.shape[0], options)
    {
    }

    public FakeQuantizedLayer(Conv2d conv, QuantizationAwareTrainingOptions options) : this((nn.Module<Tensor, Tensor>)conv, conv.weight.shape[0], options)
    {
    }

    private FakeQuantizedLayer(nn.Module<Tensor, Tensor> module, long channels, QuantizationAwareTrainingOptions options) : base(nameof(FakeQuantizedLayer))
    {
        _module = module;
        _scheme = options.WeightScheme;
        (_weightMin, _weightMax) = QuantizationAwareTraining.Range(options.WeightBits, signed: true);
        _quantizeActivations = options.QuantizeActivations;
        var perChannel = _scheme is QuantizationScheme.PerChannelAffine or QuantizationScheme.PerChannelSymmetric;
        var device = Weight.device;
        // Scale 0 marks "not observed yet".
        _weightScale = zeros(new long[] { perChannel ? channels : 1 }, dtype: ScalarType.Float32, device: device);
        _weightZeroPoint = zeros(new long[] { perChannel ? channels : 1 }, dtype: ScalarType.Int32, device: device);
        var (amin, amax) = QuantizationAwareTraining.Range(options.ActivationBits, signed: false);
        _observer = new MovingAverageMinMaxObserver(options.ObserverAveragingConstant, amin, amax,
            full(new long[] { 1 }, float.PositiveInfinity, dtype: ScalarType.Float32, device: device),
            full(new long[] { 1 }, float.NegativeInfinity, dtype: ScalarType.Float32, device: device));
        register_module("module", module);
        register_buffer("weight_scale", _weightScale);
        register_buffer("weight_zero_point", _weightZeroPoint);
        register_buffer("activation_min", _observer.MinTensor);
        register_buffer("activation_max", _observer.MaxTensor);
    }

    /// <summary>Whether weights and outputs are fake-quantized (false: the wrapped layer runs in float).</summary>
    public bool FakeQuantize { get; set; } = true;

    /// <summary>Whether the weight's range and the output observer update (in training mode only).</summary>
    public bool Observe { get; set; } = true;

    public MovingAverageMinMaxObserver Observer => _observer;

    private Parameter Weight => _module switch
    {
        Linear l => l.weight,
        Convolution c => c.weight,
        _ => throw new InvalidOperationException($"FakeQuantizedLayer cannot wrap {_module.GetType().Name}."),
    };

    public override Tensor forward(Tensor input)
    {
        if (!FakeQuantize) return _module.call(input);
        var weight = Weight;
        var observing = Observe && training;
        using (no_grad())
        {
            using var first = _weightScale[0];
            if (observing || first.ToSingle() == 0)
            {
                var (scale, zeroPoint) = QuantizationAwareTraining.WeightParameters(weight, _scheme, _weightMin, _weightMax);
                _weightScale.copy_(scale);
                _weightZeroPoint.copy_(zeroPoint);
                scale.Dispose();
                zeroPoint.Dispose();
            }
        }
        var w = QuantizationAwareTraining.FakeQuantizeWeight(weight, _scheme, _weightScale, _weightZeroPoint, _weightMin, _weightMax);
        var output = _module switch
        {
            Linear l => nn.functional.linear(input, w, l.bias),
            Conv2d c => SurgeryHelpers.Conv2dAs(c, input, w, c.bias),
            _ => throw new InvalidOperationException($"FakeQuantizedLayer cannot wrap {_module.GetType().Name}."),
        };
        if (!_quantizeActivations) return output;
        if (observing) _observer.Observe(output);
        if (!_observer.HasObserved) return output;
        var (s, z) = _observer.QuantizationParameters();
        return FakeQuant.PerTensor(output, s, z, _observer.QuantMin, _observer.QuantMax);
    }
}

/// <summary>The fake-quantization kernels: the binding's native ops, or (TorchSharp backend) the same formula with a straight-through mask.</summary>
internal static class FakeQuant
{
    public static Tensor PerTensor(Tensor x, double scale, long zeroPoint, long qmin, long qmax)
    {
        using var s = tensor((float)scale);
        using var z = tensor((float)zeroPoint);
        return Compose(x, s, z, qmin, qmax);
    }

    public static Tensor PerChannel(Tensor x, Tensor scale, Tensor zeroPoint, int axis, long qmin, long qmax)
    {
        var shape = Enumerable.Repeat(1L, (int)x.dim()).ToArray();
        shape[axis] = -1;
        using var s = scale.reshape(shape);
        using var z = zeroPoint.to_type(ScalarType.Float32).reshape(shape);
        return Compose(x, s, z, qmin, qmax);
    }

    private static Tensor Compose(Tensor x, Tensor scale, Tensor zeroPoint, long qmin, long qmax)
    {
        using var scope = NewDisposeScope();
        var q = (x.detach() * (1f / scale)).round() + zeroPoint;
        var inside = q.ge(qmin).logical_and(q.le(qmax)).to_type(x.dtype);
        var value = (q.clamp(qmin, qmax) - zeroPoint) * scale;
        return (value + (x - x.detach()) * inside).MoveToOuterDisposeScope();
    }
}
