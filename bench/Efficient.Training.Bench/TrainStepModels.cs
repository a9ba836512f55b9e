using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Efficient.Training.Bench;

/// <summary>The models of the train-step benchmark (<see cref="ResNet"/>, <see cref="Bert"/>), the same as bench/python/train_step.py.</summary>
internal static class TrainStepModels;

/// <summary>The residual CNN of the train-step benchmark (same as bench/python/train_step.py).</summary>
internal sealed class ResidualBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;

    public ResidualBlock(long channels) : base(nameof(ResidualBlock))
    {
        conv1 = Conv2d(channels, channels, 3, padding: 1, bias: false);
        bn1 = BatchNorm2d(channels);
        conv2 = Conv2d(channels, channels, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(channels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = functional.relu(bn1.call(conv1.call(x)));
        h = bn2.call(conv2.call(h));
        return functional.relu(h + x);
    }
}

/// <summary>28×28×1 input, 32-channel stem, three residual blocks, global average pool, linear head.</summary>
internal sealed class ResNet : Module<Tensor, Tensor>
{
    private readonly Conv2d stem;
    private readonly BatchNorm2d bn;
    private readonly Sequential blocks;
    private readonly Linear head;

    public ResNet(long width = 32, int blockCount = 3, long classes = 10) : base(nameof(ResNet))
    {
        stem = Conv2d(1, width, 3, padding: 1, bias: false);
        bn = BatchNorm2d(width);
        blocks = Sequential();
        for (var i = 0; i < blockCount; i++) blocks.append(new ResidualBlock(width));
        head = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = functional.relu(bn.call(stem.call(x)));
        h = blocks.call(h);
        h = functional.adaptive_avg_pool2d(h, 1).flatten(1);
        return head.call(h);
    }
}

/// <summary>A post-norm encoder layer with explicit attention (same ops as the Python model).</summary>
internal sealed class EncoderLayer : Module<Tensor, Tensor>
{
    private readonly Linear qkv, @out, ff1, ff2;
    private readonly LayerNorm norm1, norm2;
    private readonly long _heads;

    public EncoderLayer(long d, long heads, long ffn) : base(nameof(EncoderLayer))
    {
        _heads = heads;
        qkv = Linear(d, 3 * d);
        @out = Linear(d, d);
        norm1 = LayerNorm(d);
        ff1 = Linear(d, ffn);
        ff2 = Linear(ffn, d);
        norm2 = LayerNorm(d);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var (b, s, d) = (x.shape[0], x.shape[1], x.shape[2]);
        var parts = qkv.call(x).view(b, s, 3, _heads, d / _heads).permute(2, 0, 3, 1, 4).unbind(0);
        var att = (parts[0].matmul(parts[1].transpose(-2, -1)) / Math.Sqrt(d / _heads)).softmax(-1);
        var y = att.matmul(parts[2]).transpose(1, 2).reshape(b, s, d);
        x = norm1.call(x + @out.call(y));
        return norm2.call(x + ff2.call(functional.gelu(ff1.call(x))));
    }
}

/// <summary>Token + learned position embeddings, LayerNorm, two encoder layers, MLM head.</summary>
internal sealed class Bert : Module<Tensor, Tensor>
{
    private readonly Embedding tok, pos;
    private readonly LayerNorm norm;
    private readonly ModuleList<EncoderLayer> layers;
    private readonly Linear head;

    public Bert(long vocab = 1000, long d = 128, int layerCount = 2, long heads = 4, long ffn = 512, long seq = 64) : base(nameof(Bert))
    {
        tok = Embedding(vocab, d);
        pos = Embedding(seq, d);
        norm = LayerNorm(d);
        layers = new ModuleList<EncoderLayer>();
        for (var i = 0; i < layerCount; i++) layers.Add(new EncoderLayer(d, heads, ffn));
        head = Linear(d, vocab);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids)
    {
        var positions = arange(ids.shape[1], ScalarType.Int64);
        var x = norm.call(tok.call(ids) + pos.call(positions));
        foreach (var layer in layers) x = layer.call(x);
        return head.call(x);
    }
}
