using Efficient.Torch.Modules;
using static Efficient.Torch.torch.nn;
using F = Efficient.Torch.torch.nn.functional;

namespace Efficient.Torch.Tests.NN;

/// <summary>Bad arguments throw ArgumentException naming the parameter, the value and what was expected.</summary>
public class LayerArgumentTests
{
    private static void Throws(Action act, string param, string message) =>
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == param, $"the exception names '{param}'").WithMessage(message);

    [Fact]
    public void ConvolutionArguments()
    {
        Throws(() => Conv2d(3, 4, 3, groups: 2), "groups", "Conv2d: groups is 2; expected a divisor of in_channels (3).*");
        Throws(() => Conv2d(4, 3, 3, groups: 2), "groups", "Conv2d: groups is 2; expected a divisor of out_channels (3).*");
        Throws(() => Conv2d(0, 3, 3), "in_channels", "Conv2d: in_channels is 0; expected a positive number.*");
        Throws(() => Conv2d(1, 1, (3, 0)), "kernel_size", "Conv2d: kernel_size is (3, 0); expected positive values.*");
        Throws(() => Conv1d(1, 1, 3, stride: 0), "stride", "Conv1d: stride is (0); expected positive values.*");
        Throws(() => Conv2d(1, 1, 3, padding: -1), "padding", "Conv2d: padding is (-1, -1); expected non-negative values.*");
        Throws(() => Conv2d(2, 2, 3, Padding.Same, stride: 2), "padding", "*Padding.Same with stride (2, 2); 'same' padding needs stride 1.*");
        Throws(() => Conv2d(1, 1, 3, padding_mode: PaddingModes.Constant), "padding_mode", "*padding_mode is Constant; expected Zeros, Reflect, Replicate or Circular.*");

        using var conv = Conv2d(3, 4, 3);
        using var scope = NewDisposeScope();
        Throws(() => conv.call(randn(1, 2, 5, 5)), "input", "Conv2d: the input has 2 channels (shape [1, 2, 5, 5]); expected 3.*");
        Throws(() => conv.call(randn(5, 5)), "input", "Conv2d: the input has shape [5, 5]; expected 4-D (batched) or 3-D (unbatched) input.*");
    }

    [Fact]
    public void NormalisationArguments()
    {
        Throws(() => BatchNorm2d(0), "num_features", "BatchNorm2d: num_features is 0; expected a positive number.*");
        Throws(() => BatchNorm1d(3, momentum: 1.5), "momentum", "BatchNorm1d: momentum is 1.5; expected a value in [0, 1]*");
        Throws(() => BatchNorm1d(3, eps: 0), "eps", "BatchNorm1d: eps is 0; expected a positive value.*");
        Throws(() => GroupNorm(3, 4), "num_channels", "GroupNorm: num_channels is 4; expected a positive multiple of num_groups (3).*");
        Throws(() => LayerNorm(new long[] { 3, 0 }), "normalized_shape", "LayerNorm: normalized_shape is [3, 0]; expected one or more positive sizes.*");

        using var bn = BatchNorm2d(3);
        using var ln = LayerNorm(4);
        using var scope = NewDisposeScope();
        Throws(() => bn.call(randn(2, 3, 4)), "input", "BatchNorm2d: the input has shape [2, 3, 4]; expected 4-D [N, C, H, W] input.*");
        Throws(() => bn.call(randn(2, 2, 4, 4)), "input", "BatchNorm2d: the input has 2 channels (shape [2, 2, 4, 4]); expected 3.*");
        Throws(() => ln.call(randn(2, 5)), "tensor", "LayerNorm: the input has shape [2, 5]; expected it to end with [4].*");
    }

    [Fact]
    public void EmbeddingDropoutAndPoolingArguments()
    {
        Throws(() => Embedding(10, 4, padding_idx: 10), "padding_idx", "Embedding: padding_idx is 10; expected a row index in [-10, 10).*");
        Throws(() => Embedding(0, 4), "num_embeddings", "Embedding: num_embeddings is 0; expected a positive number.*");
        Throws(() => Embedding(3, 2, max_norm: -1), "max_norm", "Embedding: max_norm is -1; expected a positive value or null.*");
        using (var emb = Embedding(3, 2))
        using (NewDisposeScope())
            Throws(() => emb.call(zeros(2)), "input", "Embedding: the input has dtype Float32; expected integer indices*");
        Throws(() => Dropout(1.5), "p", "Dropout: p is 1.5; expected a probability in [0, 1].*");
        Throws(() => MaxPool2d(2, padding: 2), "padding", "MaxPool2d: padding is (2, 2); expected at most half the kernel size (2, 2).*");
        Throws(() => MaxPool2d(new long[] { 1, 2, 3 }), "kernel_size", "MaxPool2d: kernel_size has 3 values; expected 1 or 2.*");
        Throws(() => AvgPool2d(0), "kernel_size", "AvgPool2d: kernel_size is (0, 0); expected positive values.*");
        Throws(() => AvgPool2d(2, divisor_override: 0), "divisor_override", "AvgPool2d: divisor_override is 0; expected a positive number or null.*");
        Throws(() => AdaptiveAvgPool2d(0), "output_size", "AdaptiveAvgPool2d: output_size is (0, 0); expected positive values.*");
    }

    [Fact]
    public void AttentionAndLossArguments()
    {
        Throws(() => MultiheadAttention(8, 3), "num_heads", "MultiheadAttention: num_heads is 3; expected a positive divisor of embedded_dim (8).*");
        Throws(() => MultiheadAttention(8, 2, dropout: 2), "dropout", "MultiheadAttention: dropout is 2; expected a probability in [0, 1].*");
        Throws(() => TransformerEncoderLayer(8, 3), "nhead", "TransformerEncoderLayer: nhead is 3; expected a positive divisor of d_model (8).*");
        Throws(() => TransformerEncoderLayer(8, 2, activation: (Activations)7), "activation", "*activation is 7; expected Activations.ReLU or Activations.GELU.*");
        using (var layer = TransformerEncoderLayer(8, 2, 16))
            Throws(() => TransformerEncoder(layer, 0), "num_layers", "TransformerEncoder: num_layers is 0; expected a positive number.*");
        Throws(() => new CrossEntropyLoss(label_smoothing: 2), "label_smoothing", "CrossEntropyLoss: label_smoothing is 2; expected a value in [0, 1].*");

        using var mha = MultiheadAttention(8, 2);
        using var scope = NewDisposeScope();
        var x = randn(3, 2, 8);
        Throws(() => mha.call(randn(3, 2, 6), x, x), "query", "MultiheadAttention: query has shape [3, 2, 6]; expected [L, N, 8] or [L, 8].*");
        Throws(() => mha.call(x, randn(3, 8), x), "key", "*key has shape [3, 8]; expected 3-D with last dimension 8.*");
        var badMask = () => mha.call(x, x, x, attn_mask: zeros(2, 2, dtype: ScalarType.Bool));
        badMask.Should().Throw<System.Runtime.InteropServices.ExternalException>().WithMessage("multi_head_attention:*2-D attn_mask has shape [2, 2] but should be [3, 3]*");
    }

    [Fact]
    public void FunctionalArguments()
    {
        using var scope = NewDisposeScope();
        var x = randn(1, 2, 4, 4);
        Throws(() => F.pad(x, new long[] { 1, 2, 3 }), "pad", "pad: pad has 3 values; expected a positive, even number*");
        Throws(() => F.pad(x, new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }), "pad", "pad: pad has 10 values for a 4-D input; expected at most 8.*");
        Throws(() => F.interpolate(x), "size", "interpolate: expected exactly one of size and scale_factor, got neither.*");
        Throws(() => F.interpolate(x, new long[] { 2 }, new[] { 2.0 }), "scale_factor", "*got both.*");
        Throws(() => F.interpolate(x, new long[] { 2, 3, 4 }), "size", "interpolate: size has 3 values; expected 1 or 2 (one per spatial dimension).*");
        Throws(() => F.interpolate(x, scale_factor: new[] { 2.0 }, align_corners: true), "align_corners", "interpolate: align_corners is True; it can only be set with the interpolating modes*not Nearest.*");
        Throws(() => F.interpolate(randn(4), new long[] { 2 }), "x", "interpolate: the input is 1-D; expected [N, C, spatial...]*");
        Throws(() => F.unfold(randn(2, 4, 4), 2), "input", "unfold: the input is 3-D; expected a 4-D [N, C, H, W] batch.*");
        Throws(() => F.unfold(x, (2, 0)), "kernel_size", "unfold: kernel_size is (2, 0); expected positive values.*");
        Throws(() => F.scaled_dot_product_attention(x, x, x, p: 1.5), "p", "scaled_dot_product_attention: p is 1.5; expected a probability in [0, 1].*");
        Throws(() => F.scaled_dot_product_attention(x, x, x, ones(4, 4, dtype: ScalarType.Bool), is_casual: true), "attn_mask", "*together with is_casual*");
        Throws(() => F.smooth_l1_loss(x, x, beta: -1), "beta", "smooth_l1_loss: beta is -1; expected a non-negative value.*");
        Throws(() => F.gelu(x, (Modules.GELU.Approximate)9), "approximate", "gelu: approximate is 9; expected GELU.Approximate.none or GELU.Approximate.tanh.*");
    }
}
