using System;

namespace Efficient.Training.Models;

/// <summary>
/// A CIFAR-style basic block (He et al., 2016): <c>relu(F(x) + shortcut(x))</c> with
/// <c>F = conv3×3(stride) → BN → ReLU → conv3×3 → BN</c> (child <c>residual</c>, a
/// <see cref="Sequential"/> with children 0-4) and a shortcut that is the identity, or a strided
/// 1×1 convolution with BN (child <c>shortcut</c>, children 0-1) when the shape changes.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>, IResidualBlock
{
    // Base-typed fields so model surgery can replace them.
    private nn.Module<Tensor, Tensor> residual;
    private nn.Module<Tensor, Tensor> shortcut;

    /// <summary>Creates a block from <paramref name="inChannels"/> to <paramref name="outChannels"/> with the given stride.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count or the stride is not positive.</exception>
    public BasicBlock(long inChannels, long outChannels, long stride = 1) : base(nameof(BasicBlock))
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "The input channels must be at least 1.");
        if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, "The output channels must be at least 1.");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride must be at least 1.");
        residual = nn.Sequential(
            nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false),
            nn.BatchNorm2d(outChannels),
            nn.ReLU(),
            nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false),
            nn.BatchNorm2d(outChannels));
        shortcut = stride != 1 || inChannels != outChannels
            ? nn.Sequential(nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), nn.BatchNorm2d(outChannels))
            : nn.Identity();
        RegisterComponents();
    }

    /// <inheritdoc />
    public string ResidualBranchName => nameof(residual);

    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> ResidualBranch => residual;

    /// <summary>The shortcut (identity or projection).</summary>
    public nn.Module<Tensor, Tensor> Shortcut => shortcut;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => (residual.call(input) + shortcut.call(input)).relu();
}

/// <summary>
/// A small CIFAR-style ResNet (He et al., 2016) sized for a CPU: a 3×3 stem (child <c>stem</c>,
/// then <c>bn</c>), three stages of <see cref="BasicBlock"/>s with widths w-2w-4w and strides
/// 1-2-2 (child <c>layers</c>, blocks numbered 0, 1, ...), global average pooling and a linear
/// head (child <c>head</c>). Fields are base-typed so every technique's surgery can replace them.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    private nn.Module<Tensor, Tensor> stem;
    private nn.Module<Tensor, Tensor> bn;
    private nn.Module<Tensor, Tensor> layers;
    private nn.Module<Tensor, Tensor> head;

    /// <summary>Creates the network for <paramref name="inChannels"/>-channel images and <paramref name="classes"/> classes.</summary>
    /// <param name="inChannels">Channels of the input images (1 for Fashion-MNIST).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="blocksPerStage">Basic blocks per stage (1 gives 8 layers with weights: ResNet-8).</param>
    /// <param name="width">Width w of the first stage.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is not positive.</exception>
    public ResNet(long inChannels = 1, long classes = 10, int blocksPerStage = 1, long width = 16) : base(nameof(ResNet))
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "The input channels must be at least 1.");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "The number of classes must be at least 1.");
        if (blocksPerStage < 1) throw new ArgumentOutOfRangeException(nameof(blocksPerStage), blocksPerStage, "There must be at least one block per stage.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be at least 1.");
        stem = nn.Conv2d(inChannels, width, 3, padding: 1, bias: false);
        bn = nn.BatchNorm2d(width);
        var stages = nn.Sequential();
        var channels = width;
        foreach (var (w, stride) in new[] { (width, 1L), (width * 2, 2L), (width * 4, 2L) })
        {
            for (var b = 0; b < blocksPerStage; b++)
            {
                stages.append(new BasicBlock(channels, w, b == 0 ? stride : 1));
                channels = w;
            }
        }
        layers = stages;
        head = nn.Linear(channels, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var h = bn.call(stem.call(input)).relu();
        h = layers.call(h);
        return head.call(nn.functional.adaptive_avg_pool2d(h, 1).flatten(1));
    }
}
