using Efficient.Torch.Modules;
using static Efficient.Torch.torch.nn;
using F = Efficient.Torch.torch.nn.functional;

namespace Efficient.Torch.Tests.NN;

/// <summary>
/// Every layer, loss and new functional op against PyTorch 1.13: outputs, input gradients,
/// parameter gradients and buffers after the pass (Reference/generate_layers.py). Tolerance:
/// |Δ| ≤ 1e-5 + 1e-5·|expected| in float32 throughout.
/// </summary>
public class LayerParityTests
{
    public static TheoryData<string> Cases() => new()
    {
        "conv2d_basic", "conv2d_groups_dilation", "conv2d_reflect", "conv2d_replicate", "conv2d_circular", "conv2d_same_even", "conv2d_same_circular",
        "conv2d_valid", "conv2d_unbatched", "conv1d_basic", "conv1d_same_replicate",
        "batchnorm1d_2d_train", "batchnorm1d_2d_eval", "batchnorm1d_3d_train", "batchnorm1d_3d_eval", "batchnorm2d_train", "batchnorm2d_eval",
        "batchnorm2d_cumulative", "batchnorm2d_stateless", "groupnorm", "layernorm",
        "embedding_padding", "embedding_max_norm",
        "relu", "gelu", "gelu_tanh", "silu", "tanh", "sigmoid", "softmax", "log_softmax", "identity", "flatten", "flatten_1_2",
        "maxpool2d", "maxpool2d_rect_ceil", "maxpool2d_dilation", "avgpool2d", "avgpool2d_divisor", "adaptive_avgpool2d", "adaptive_avgpool2d_square",
        "mha_self", "mha_cross_float_mask", "mha_kdim_bias_kv", "mha_unbatched", "encoder_layer_relu", "encoder_layer_gelu", "encoder",
        "cross_entropy_module", "cross_entropy_probs", "mse_sum", "nll_weighted", "kl_div_log_target", "kl_div_prob_target", "bce_with_logits",
        "pad_constant", "pad_reflect", "pad_replicate", "pad_circular", "interpolate_nearest", "interpolate_nearest_size", "interpolate_bilinear",
        "interpolate_bilinear_align", "interpolate_area", "interpolate_linear_1d", "unfold", "unfold_square", "normalize", "normalize_p1_last",
        "cosine_similarity", "l1_loss", "smooth_l1_loss", "gelu_tanh_functional", "sdpa_bool_mask", "sdpa_float_mask", "sdpa_causal",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchPyTorch(string name)
    {
        var (module, forward) = Build(name);
        try
        {
            LayerReference.Check(name, module, forward);
        }
        finally
        {
            module?.Dispose();
        }
    }

    [Fact]
    public void EveryReferenceCaseIsCovered()
    {
        var listed = ((System.Collections.Generic.IEnumerable<object[]>)Cases()).Select(row => (string)row[0]).ToHashSet();
        var inFile = LayerReference.Root.GetProperty("cases").EnumerateObject().Select(p => p.Name).Where(n => n != "maxpool2d_indices");
        inFile.Should().BeSubsetOf(listed);
    }

    [Fact]
    public void MaxPool2dIndicesMatchPyTorch()
    {
        var c = LayerReference.Case("maxpool2d_indices");
        using var scope = NewDisposeScope();
        using var pool = MaxPool2d(3, stride: 2, padding: 1);
        var (_, indices) = pool.forward_with_indices(LayerReference.ToTensor(c.GetProperty("inputs")[0]));
        LayerReference.AssertClose(indices, c.GetProperty("indices"), "max_pool2d indices");
    }

    private static Func<Tensor[], Tensor?[]> One(Func<Tensor[], Tensor> f) => x => new Tensor?[] { f(x) };

    private static (torch.nn.Module? module, Func<Tensor[], Tensor?[]> forward) Of(torch.nn.Module<Tensor, Tensor> m) => (m, One(x => m.call(x[0])));

    private static (torch.nn.Module? module, Func<Tensor[], Tensor?[]> forward) Train(NormBase m)
    {
        m.train();
        return Of(m);
    }

    private static (torch.nn.Module? module, Func<Tensor[], Tensor?[]> forward) Eval(NormBase m)
    {
        m.eval();
        return Of(m);
    }

    private static (torch.nn.Module? module, Func<Tensor[], Tensor?[]> forward) Fn(Func<Tensor[], Tensor> f) => (null, One(f));

    private static (torch.nn.Module? module, Func<Tensor[], Tensor?[]> forward) Pair(MultiheadAttention m, Func<MultiheadAttention, Tensor[], Tuple<Tensor, Tensor>> f) =>
        (m, x =>
        {
            var (output, weights) = f(m, x);
            return new Tensor?[] { output, weights };
        });

    private static (torch.nn.Module? module, Func<Tensor[], Tensor?[]> forward) Build(string name) => name switch
    {
        "conv2d_basic" => Of(Conv2d(3, 4, 3, stride: 1, padding: 1)),
        "conv2d_groups_dilation" => Of(Conv2d(4, 6, (3, 2), stride: (2, 1), padding: (2, 1), dilation: (2, 1), groups: 2)),
        "conv2d_reflect" => Of(Conv2d(2, 3, (3, 3), padding: (1, 2), padding_mode: PaddingModes.Reflect)),
        "conv2d_replicate" => Of(Conv2d(2, 3, (3, 3), padding: (1, 2), padding_mode: PaddingModes.Replicate)),
        "conv2d_circular" => Of(Conv2d(2, 3, (3, 3), padding: (1, 2), padding_mode: PaddingModes.Circular)),
        "conv2d_same_even" => Of(Conv2d(2, 3, 4, Padding.Same, bias: false)),
        "conv2d_same_circular" => Of(Conv2d(2, 4, (3, 4), Padding.Same, dilation: (2, 1), padding_mode: PaddingModes.Circular, groups: 2)),
        "conv2d_valid" => Of(Conv2d(2, 3, 3, Padding.Valid)),
        "conv2d_unbatched" => Of(Conv2d(2, 3, 3, padding: 1)),
        "conv1d_basic" => Of(Conv1d(3, 4, 3, stride: 2, padding: 1)),
        "conv1d_same_replicate" => Of(Conv1d(4, 2, 4, Padding.Same, dilation: 2, padding_mode: PaddingModes.Replicate, groups: 2)),

        "batchnorm1d_2d_train" => Train(BatchNorm1d(3)),
        "batchnorm1d_2d_eval" => Eval(BatchNorm1d(3)),
        "batchnorm1d_3d_train" => Train(BatchNorm1d(3, momentum: 0.3)),
        "batchnorm1d_3d_eval" => Eval(BatchNorm1d(3, momentum: 0.3)),
        "batchnorm2d_train" => Train(BatchNorm2d(3)),
        "batchnorm2d_eval" => Eval(BatchNorm2d(3)),
        "batchnorm2d_cumulative" => Train(WithMomentum(BatchNorm2d(2), null)),
        "batchnorm2d_stateless" => Train(BatchNorm2d(2, affine: false, track_running_stats: false)),
        "groupnorm" => Of(GroupNorm(2, 4)),
        "layernorm" => Of(LayerNorm(new long[] { 3, 4 })),

        "embedding_padding" => Of(Embedding(10, 4, padding_idx: 1)),
        "embedding_max_norm" => Of(Embedding(6, 3, max_norm: 1.0)),

        "relu" => Of(ReLU()),
        "gelu" => Of(GELU()),
        "gelu_tanh" => Of(GELU(Modules.GELU.Approximate.tanh)),
        "silu" => Of(SiLU()),
        "tanh" => Of(Tanh()),
        "sigmoid" => Of(Sigmoid()),
        "softmax" => Of(Softmax(1)),
        "log_softmax" => Of(LogSoftmax(-1)),
        "identity" => Of(Identity()),
        "flatten" => Of(Flatten()),
        "flatten_1_2" => Of(Flatten(1, 2)),

        "maxpool2d" => Of(MaxPool2d(3, stride: 2, padding: 1)),
        "maxpool2d_rect_ceil" => Of(MaxPool2d((2, 3), stride: (2, 2), ceil_mode: true)),
        "maxpool2d_dilation" => Of(MaxPool2d(2, stride: 1, dilation: 2)),
        "avgpool2d" => Of(AvgPool2d(3, stride: 2, padding: 1, count_include_pad: false)),
        "avgpool2d_divisor" => Of(AvgPool2d((2, 3), divisor_override: 4, ceil_mode: true)),
        "adaptive_avgpool2d" => Of(AdaptiveAvgPool2d((2, 3))),
        "adaptive_avgpool2d_square" => Of(AdaptiveAvgPool2d(3)),

        "mha_self" => Pair(MultiheadAttention(8, 2), (m, x) => m.call(x[0], x[0], x[0], key_padding_mask: x[2], need_weights: true, attn_mask: x[1])),
        "mha_cross_float_mask" => Pair(MultiheadAttention(8, 2, bias: false), (m, x) => m.call(x[0], x[1], x[2], attn_mask: x[3])),
        "mha_kdim_bias_kv" => Pair(MultiheadAttention(8, 2, add_bias_kv: true, add_zero_attn: true, kdim: 6, vdim: 5), (m, x) => m.call(x[0], x[1], x[2], need_weights: false)),
        "mha_unbatched" => Pair(MultiheadAttention(8, 2), (m, x) => m.call(x[0], x[1], x[1])),
        "encoder_layer_relu" => EncoderLayer(Activations.ReLU),
        "encoder_layer_gelu" => EncoderLayer(Activations.GELU),
        "encoder" => Encoder(),

        "cross_entropy_module" => Fn(x => new CrossEntropyLoss(x[2], ignore_index: 2, label_smoothing: 0.1).call(x[0], x[1])),
        "cross_entropy_probs" => Fn(x => CrossEntropyLoss(reduction: Reduction.Sum).call(x[0], x[1])),
        "mse_sum" => Fn(x => MSELoss(Reduction.Sum).call(x[0], x[1])),
        "nll_weighted" => Fn(x => NLLLoss(x[2]).call(x[0], x[1])),
        "kl_div_log_target" => Fn(x => KLDivLoss(log_target: true, reduction: Reduction.Sum).call(x[0], x[1])),
        "kl_div_prob_target" => Fn(x => KLDivLoss(log_target: false).call(x[0], x[1])),
        "bce_with_logits" => Fn(x => BCEWithLogitsLoss(x[2], pos_weights: x[3]).call(x[0], x[1])),

        "pad_constant" => Fn(x => F.pad(x[0], (1, 2, 2, 1), PaddingModes.Constant, 0.5)),
        "pad_reflect" => Fn(x => F.pad(x[0], (1, 2, 2, 1), PaddingModes.Reflect)),
        "pad_replicate" => Fn(x => F.pad(x[0], (1, 2, 2, 1), PaddingModes.Replicate)),
        "pad_circular" => Fn(x => F.pad(x[0], (1, 2, 2, 1), PaddingModes.Circular)),
        "interpolate_nearest" => Fn(x => F.interpolate(x[0], scale_factor: new[] { 2.0 })),
        "interpolate_nearest_size" => Fn(x => F.interpolate(x[0], size: new long[] { 7, 3 })),
        "interpolate_bilinear" => Fn(x => F.interpolate(x[0], size: new long[] { 5, 7 }, mode: InterpolationMode.Bilinear, align_corners: false)),
        "interpolate_bilinear_align" => Fn(x => F.interpolate(x[0], scale_factor: new[] { 1.5, 2.0 }, mode: InterpolationMode.Bilinear, align_corners: true)),
        "interpolate_area" => Fn(x => F.interpolate(x[0], size: new long[] { 3, 2 }, mode: InterpolationMode.Area)),
        "interpolate_linear_1d" => Fn(x => F.interpolate(x[0], size: new long[] { 9 }, mode: InterpolationMode.Linear)),
        "unfold" => Fn(x => F.unfold(x[0], (2, 3), dilation: (1, 2), padding: (1, 1), stride: (2, 1))),
        "unfold_square" => Fn(x => F.unfold(x[0], 2)),
        "normalize" => Fn(x => F.normalize(x[0])),
        "normalize_p1_last" => Fn(x => F.normalize(x[0], p: 1.0, dim: -1, eps: 1e-6)),
        "cosine_similarity" => Fn(x => F.cosine_similarity(x[0], x[1])),
        "l1_loss" => Fn(x => F.l1_loss(x[0], x[1])),
        "smooth_l1_loss" => Fn(x => F.smooth_l1_loss(x[0], x[1], Reduction.Sum, beta: 0.5)),
        "gelu_tanh_functional" => Fn(x => F.gelu(x[0], Modules.GELU.Approximate.tanh)),
        "sdpa_bool_mask" => Fn(x => F.scaled_dot_product_attention(x[0], x[1], x[2], x[3])),
        "sdpa_float_mask" => Fn(x => F.scaled_dot_product_attention(x[0], x[1], x[2], x[3])),
        "sdpa_causal" => Fn(x => F.scaled_dot_product_attention(x[0], x[1], x[2], is_casual: true)),
        _ => throw new ArgumentException($"No builder for case '{name}'.", nameof(name)),
    };

    private static BatchNorm2d WithMomentum(BatchNorm2d m, double? momentum)
    {
        m.momentum = momentum;
        return m;
    }

    private static (torch.nn.Module? module, Func<Tensor[], Tensor?[]> forward) EncoderLayer(Activations activation)
    {
        var layer = TransformerEncoderLayer(8, 2, 16, 0.0, activation);
        return (layer, One(x => layer.call(x[0], null, x[1])));
    }

    private static (torch.nn.Module? module, Func<Tensor[], Tensor?[]> forward) Encoder()
    {
        using var layer = TransformerEncoderLayer(8, 2, 16, 0.0);
        var encoder = TransformerEncoder(layer, 2);
        return (encoder, One(x => encoder.call(x[0], x[1])));
    }
}
