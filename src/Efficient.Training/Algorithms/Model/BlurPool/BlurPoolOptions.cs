namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="BlurPoolAlgorithm"/> and <see cref="BlurPool.Apply(nn.Module, BlurPoolOptions?, optim.Optimizer?)"/> (Composer's names and defaults).</summary>
public sealed class BlurPoolOptions : IValidatableOptions
{
    /// <summary>Replace strided <see cref="Conv2d"/> layers with <see cref="BlurConv2d"/>. Default true.</summary>
    public bool ReplaceConvs { get; set; } = true;

    /// <summary>Replace <see cref="MaxPool2d"/> layers with <see cref="BlurMaxPool2d"/>. Default true.</summary>
    public bool ReplaceMaxPools { get; set; } = true;

    /// <summary>Blur before the strided convolution (cheaper) rather than after it. Default true.</summary>
    public bool BlurFirst { get; set; } = true;

    /// <summary>Only convolutions with at least this many input channels are replaced. Range ≥ 0; default 16.</summary>
    public long MinChannels { get; set; } = 16;

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(BlurPoolOptions))
            .Require(MinChannels >= 0, nameof(MinChannels), MinChannels, "a channel count >= 0")
            .ThrowIfInvalid();
}
