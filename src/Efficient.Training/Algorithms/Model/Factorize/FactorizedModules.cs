using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// A Conv2d factorized through a rank-r bottleneck: a k×k convolution from the input channels to r
/// latent channels (the original stride, padding, dilation and padding mode, no bias), then a 1×1
/// convolution to the output channels (carrying the original bias). Child modules
/// <c>conv0</c> and <c>conv1</c>, as Composer's <c>FactorizedConv2d</c>.
/// </summary>
public sealed class FactorizedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv0;
    private readonly Conv2d conv1;

    internal FactorizedConv2d(Conv2d conv0, Conv2d conv1) : base(nameof(FactorizedConv2d))
    {
        this.conv0 = conv0;
        this.conv1 = conv1;
        RegisterComponents();
    }

    /// <summary>The k×k convolution to the latent channels.</summary>
    public Conv2d Conv0 => conv0;

    /// <summary>The 1×1 convolution to the output channels.</summary>
    public Conv2d Conv1 => conv1;

    /// <summary>r, the number of latent channels.</summary>
    public long latent_channels => conv0.out_channels;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var latent = conv0.call(input);
        return conv1.call(latent);
    }
}

/// <summary>
/// A Linear factorized through a rank-r bottleneck: a linear map to r latent features (no bias),
/// then one to the output features (carrying the original bias). Child modules <c>linear0</c> and
/// <c>linear1</c>.
/// </summary>
public sealed class FactorizedLinear : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear0;
    private readonly Linear linear1;

    internal FactorizedLinear(Linear linear0, Linear linear1) : base(nameof(FactorizedLinear))
    {
        this.linear0 = linear0;
        this.linear1 = linear1;
        RegisterComponents();
    }

    /// <summary>The map to the latent features.</summary>
    public Linear Linear0 => linear0;

    /// <summary>The map to the output features.</summary>
    public Linear Linear1 => linear1;

    /// <summary>r, the number of latent features.</summary>
    public long latent_features => linear0.out_features;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var latent = linear0.call(input);
        return linear1.call(latent);
    }
}
