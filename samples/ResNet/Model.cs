using Efficient.Torch;
using Efficient.Torch.Modules;
using static Efficient.Torch.torch;

namespace ResNetSample;

/// <summary>A CIFAR-style basic block: two 3×3 convolutions with BatchNorm and a (projected) shortcut.</summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly Sequential? shortcut;

    /// <summary>Creates a block from <paramref name="inChannels"/> to <paramref name="outChannels"/> with the given stride.</summary>
    public BasicBlock(long inChannels, long outChannels, long stride) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(outChannels);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
            shortcut = nn.Sequential(nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), nn.BatchNorm2d(outChannels));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var h = bn1.call(conv1.call(x)).relu();
        h = bn2.call(conv2.call(h));
        return (h + (shortcut?.call(x) ?? x)).relu();
    }
}

/// <summary>
/// A small CIFAR-style ResNet sized for a 2-core machine: a 3×3 stem, three stages of basic
/// blocks with widths 16-32-64 (strides 1-2-2), global average pooling and a linear head.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d stem;
    private readonly BatchNorm2d bn;
    private readonly Sequential layers;
    private readonly Linear head;

    /// <summary>Creates the network for <paramref name="inChannels"/>-channel images and <paramref name="classes"/> classes.</summary>
    public ResNet(long inChannels = 1, long classes = 10, int blocksPerStage = 1, long width = 16) : base(nameof(ResNet))
    {
        stem = nn.Conv2d(inChannels, width, 3, padding: 1, bias: false);
        bn = nn.BatchNorm2d(width);
        layers = nn.Sequential();
        var channels = width;
        foreach (var (w, stride) in new[] { (width, 1L), (width * 2, 2L), (width * 4, 2L) })
        {
            for (var b = 0; b < blocksPerStage; b++)
            {
                layers.append(new BasicBlock(channels, w, b == 0 ? stride : 1));
                channels = w;
            }
        }
        head = nn.Linear(channels, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var h = bn.call(stem.call(x)).relu();
        h = layers.call(h);
        return head.call(nn.functional.adaptive_avg_pool2d(h, 1).flatten(1));
    }
}
