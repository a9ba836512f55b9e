using System;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>y = x Wᵀ + b.</summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    private Parameter _weight;
    private Parameter? _bias;

    internal Linear(Parameter weight, Parameter? bias) : base(nameof(Linear))
    {
        _weight = weight;
        _bias = bias;
        register_parameter("weight", weight);
        if (bias is not null) register_parameter("bias", bias);
        in_features = weight.shape[1];
        out_features = weight.shape[0];
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor) => nn.functional.linear(tensor, _weight, _bias);

    /// <summary>The bias (null when the layer has none).</summary>
    public Parameter? bias
    {
        get => _bias;
        set
        {
            _bias = value;
            ConditionallyRegisterParameter("bias", value);
        }
    }

    /// <summary>The weight, [out_features, in_features].</summary>
    public Parameter weight
    {
        get => _weight;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _weight = value;
            register_parameter("weight", value);
        }
    }

    /// <summary>Input size.</summary>
    public long in_features { get; set; }

    /// <summary>Output size.</summary>
    public long out_features { get; set; }
}

