using System.Collections.Generic;
using F = Efficient.Torch.torch.nn.functional;
using Reduction = Efficient.Torch.torch.nn.Reduction;

namespace Efficient.Torch.Tests.NN;

/// <summary>torch.nn.functional against PyTorch (Reference/ref_functional.json).</summary>
public class FunctionalTests
{
    private const string File = "ref_functional.json";

    private static RefCase Case(string name) => Ref.Case(File, name);

    private static Reduction ParseReduction(string name) => name switch
    {
        "none" => Reduction.None,
        "mean" => Reduction.Mean,
        "sum" => Reduction.Sum,
        _ => throw new ArgumentException(name),
    };

    [Fact]
    public void Linear()
    {
        using var scope = NewDisposeScope();
        var c = Case("linear");
        var (x, w, b) = (c.T("x"), c.T("w"), c.T("b"));
        c.Check(F.linear(x, w, b), "out");
        c.Check(F.linear(x, w), "no_bias");
        c.Check(F.linear(c.T("x3"), w, b), "batched");
    }

    [Fact]
    public void Conv2dWithStridePaddingDilationAndGroups()
    {
        using var scope = NewDisposeScope();
        var i = Case("conv_inputs");
        var (img, w, b, gw) = (i.T("img"), i.T("w"), i.T("b"), i.T("gw"));
        Case("conv2d.plain").Check(F.conv2d(img, w, b), "out");
        Case("conv2d.stride_padding").Check(F.conv2d(img, w, b, strides: new long[] { 2 }, padding: new long[] { 1 }), "out");
        Case("conv2d.stride_padding").Check(F.conv2d(img, w, b, new long[] { 2, 2 }, new long[] { 1, 1 }), "out");
        Case("conv2d.dilation").Check(F.conv2d(img, w, null, padding: new long[] { 2 }, dilation: new long[] { 2 }), "out");
        Case("conv2d.groups_asym").Check(F.conv2d(img, gw, strides: new long[] { 2, 1 }, padding: new long[] { 1, 0 }, groups: 2), "out");
        var all = Case("conv2d.all");
        all.Check(F.conv2d(img, gw, all.T("b"), new long[] { 1, 2 }, new long[] { 2, 1 }, new long[] { 2, 1 }, 2), "out");
    }

    [Fact]
    public void Conv1d()
    {
        using var scope = NewDisposeScope();
        var c = Case("conv1d");
        c.Check(F.conv1d(c.T("x"), c.T("w"), null, stride: 2, padding: 1), "out");
    }

    [Fact]
    public void BatchNormTrainingUpdatesRunningStatistics()
    {
        using var scope = NewDisposeScope();
        var c = Case("batch_norm");
        var (x, w, b) = (c.T("x"), c.T("w"), c.T("b"));
        var rm = c.T("running_mean");
        var rv = c.T("running_var");
        c.Check(F.batch_norm(x, rm, rv, w, b, training: true, momentum: 0.2, eps: 1e-5), "train_out");
        c.Check(rm, "train_running_mean");
        c.Check(rv, "train_running_var");

        var rm2 = c.T("running_mean");
        var rv2 = c.T("running_var");
        c.Check(F.batch_norm(x, rm2, rv2, training: true), "plain_train_out");
        c.Check(rm2, "plain_running_mean");
        c.Check(rv2, "plain_running_var");

        c.Check(F.batch_norm(x, null, null, training: true), "no_stats_out");
    }

    [Fact]
    public void BatchNormEvaluationUsesRunningStatisticsAndLeavesThemAlone()
    {
        using var scope = NewDisposeScope();
        var c = Case("batch_norm");
        var rm = c.T("running_mean");
        var rv = c.T("running_var");
        c.Check(F.batch_norm(c.T("x"), rm, rv, c.T("w"), c.T("b"), training: false, eps: 1e-3), "eval_out");
        c.Check(rm, "eval_running_mean");
        c.Check(rv, "eval_running_var");
    }

    [Fact]
    public void LayerNormAndGroupNorm()
    {
        using var scope = NewDisposeScope();
        var l = Case("layer_norm");
        var x = l.T("x");
        l.Check(F.layer_norm(x, new long[] { 4 }), "last");
        l.Check(F.layer_norm(x, new long[] { 3, 4 }, l.T("w"), l.T("b"), eps: 1e-3), "two");
        var g = Case("group_norm");
        var gx = g.T("x");
        g.Check(F.group_norm(gx, 2, g.T("w"), g.T("b")), "out");
        g.Check(F.group_norm(gx, 4, eps: 1e-3), "plain");
    }

    [Fact]
    public void AdaptiveAveragePooling()
    {
        using var scope = NewDisposeScope();
        var x = Case("pool_inputs").T("x");
        var c = Case("adaptive_avg_pool2d");
        c.Check(F.adaptive_avg_pool2d(x, new long[] { 2, 3 }), "out");
        c.Check(F.adaptive_avg_pool2d(x, (2, 3)), "out");
        c.Check(F.adaptive_avg_pool2d(x, 1), "one");
        c.Check(F.adaptive_avg_pool2d(x, new long[] { 3 }), "square");
    }

    [Fact]
    public void MaxPooling()
    {
        using var scope = NewDisposeScope();
        var x = Case("pool_inputs").T("x");
        var c = Case("max_pool2d");
        c.Check(F.max_pool2d(x, new long[] { 2 }), "k2");
        c.Check(F.max_pool2d(x, 2), "k2");
        c.Check(F.max_pool2d(x, new long[] { 3 }, new long[] { 2 }, new long[] { 1 }), "k3s2p1");
        c.Check(F.max_pool2d(x, 3, 2, 1), "k3s2p1");
        c.Check(F.max_pool2d(x, new long[] { 2, 2 }, strides: new long[] { 1, 1 }, padding: new long[] { 0, 0 }, dilation: new long[] { 2, 2 }), "dil");
        c.Check(F.max_pool2d(x, new long[] { 2 }, ceil_mode: true), "ceil");
        c.Check(F.max_pool2d(x, new long[] { 2, 3 }, new long[] { 1, 2 }), "rect");
        c.Check(F.max_pool2d(x, (2, 3), (1, 2)), "rect");
    }

    [Fact]
    public void AveragePooling()
    {
        using var scope = NewDisposeScope();
        var x = Case("pool_inputs").T("x");
        var c = Case("avg_pool2d");
        c.Check(F.avg_pool2d(x, new long[] { 2 }), "k2");
        c.Check(F.avg_pool2d(x, 2), "k2");
        c.Check(F.avg_pool2d(x, new long[] { 3 }, new long[] { 2 }, new long[] { 1 }), "k3s2p1");
        c.Check(F.avg_pool2d(x, 3, 2, 1), "k3s2p1");
        c.Check(F.avg_pool2d(x, new long[] { 3 }, new long[] { 2 }, new long[] { 1 }, count_include_pad: false), "no_pad_count");
        c.Check(F.avg_pool2d(x, new long[] { 2 }, ceil_mode: true), "ceil");
        c.Check(F.avg_pool2d(x, new long[] { 2 }, divisor_override: 3), "divisor");
        c.Check(F.avg_pool2d(x, (2, 2), divisor_override: 3), "divisor");
    }

    [Fact]
    public void Activations()
    {
        using var scope = NewDisposeScope();
        var c = Case("activations");
        var x = c.T("x");
        c.Check(F.relu(x), "relu");
        c.Check(F.gelu(x), "gelu");
        c.Check(F.silu(x), "silu");
        c.Check(F.leaky_relu(x, 0.2), "leaky_relu");
        c.Check(F.leaky_relu(x), "leaky_relu_default");
        c.Check(F.sigmoid(x), "sigmoid");
        c.Check(F.tanh(x), "tanh");
        c.Check(F.softmax(x, 1), "softmax");
        c.Check(F.log_softmax(x, 1), "log_softmax");
        c.Check(F.softmax(x, 0), "softmax0");
        var y = x.clone();
        F.relu(y, inplace: true).Should().BeSameAs(y);
        c.Check(y, "relu");
        c.Check(F.dropout(x, 0.5, training: false), "x");
    }

    [Fact]
    public void InPlaceActivationsModifyAndReturnTheirInput()
    {
        using var scope = NewDisposeScope();
        var c = Case("activations");
        var x = c.T("x");
        var (silu, leaky, tanhIn, sigmoidIn) = (x.clone(), x.clone(), x.clone(), x.clone());
        F.silu(silu, inplace: true).Should().BeSameAs(silu);
        c.Check(silu, "silu");
        F.leaky_relu(leaky, 0.2, inplace: true).Should().BeSameAs(leaky);
        c.Check(leaky, "leaky_relu");
        F.tanh(tanhIn, inplace: true).Should().BeSameAs(tanhIn);
        c.Check(tanhIn, "tanh");
        F.sigmoid(sigmoidIn, true).Should().BeSameAs(sigmoidIn);
        c.Check(sigmoidIn, "sigmoid");
        c.Check(F.tanh(x), "tanh");

        // Dropout in place: every element is either dropped or scaled by 1 / (1 - p).
        var d = x.clone();
        F.dropout(d, 0.5, training: true, inplace: true).Should().BeSameAs(d);
        var kept = d != 0;
        var dropped = (d == 0).sum().item<long>();
        dropped.Should().BeInRange(1, x.numel() - 1, "with p = 0.5 over 15 elements some are dropped and some kept");
        d.masked_select(kept).allclose(x.masked_select(kept) * 2, rtol: 1e-6, atol: 0).Should().BeTrue();
        c.Check(F.dropout(x, 0.5, training: false, inplace: true), "x");
    }

    [Fact]
    public void EmbeddingAndOneHot()
    {
        using var scope = NewDisposeScope();
        var e = Case("embedding");
        var (w, idx) = (e.T("w"), e.T("idx"));
        e.Check(F.embedding(idx, w), "out");
        e.Check(F.embedding(idx, w, padding_idx: 0), "padded");
        var o = Case("one_hot");
        var oi = o.T("idx");
        o.Check(F.one_hot(oi, 5), "out");
        o.Check(F.one_hot(oi), "inferred");
        o.Check(F.one_hot(idx, 6), "two_d");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("mean")]
    [InlineData("sum")]
    public void CrossEntropyWithIndicesProbabilitiesSmoothingAndIgnoreIndex(string reduction)
    {
        using var scope = NewDisposeScope();
        var i = Case("ce_inputs");
        var (logits, target, weight, probs) = (i.T("logits"), i.T("target"), i.T("weight"), i.T("probs"));
        var red = ParseReduction(reduction);
        var c = Case("cross_entropy." + reduction);
        c.Check(F.cross_entropy(logits, target, reduction: red), "index");
        c.Check(F.cross_entropy(logits, target, weight, reduction: red), "weighted");
        c.Check(F.cross_entropy(logits, target, null, -100, red, 0.1), "smoothing");
        c.Check(F.cross_entropy(logits, target, weight, reduction: red, label_smoothing: 0.2), "smoothing_weighted");
        c.Check(F.cross_entropy(logits, probs, reduction: red), "probs");
        c.Check(F.cross_entropy(logits, probs, reduction: red, label_smoothing: 0.15), "probs_smoothing");
        c.Check(F.cross_entropy(logits, probs, weight, reduction: red), "probs_weighted");
        c.Check(F.cross_entropy(logits, i.T("ignored"), reduction: red), "ignore_default");
        c.Check(F.cross_entropy(logits, i.T("ignored2"), ignore_index: 2, reduction: red), "ignore_custom");
        c.Check(F.cross_entropy(logits, i.T("ignored"), reduction: red, label_smoothing: 0.1), "ignore_smoothing");
    }

    [Fact]
    public void CrossEntropyOverSpatialDimensions()
    {
        using var scope = NewDisposeScope();
        var c = Case("cross_entropy.spatial");
        var (logits, target) = (c.T("logits"), c.T("target"));
        c.Check(F.cross_entropy(logits, target), "out");
        c.Check(F.cross_entropy(logits, target, label_smoothing: 0.1), "smoothing");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("mean")]
    [InlineData("sum")]
    public void OtherLosses(string reduction)
    {
        using var scope = NewDisposeScope();
        var red = ParseReduction(reduction);
        var i = Case("ce_inputs");
        var logp = F.log_softmax(i.T("logits"), 1);
        var nll = Case("nll_loss." + reduction);
        nll.Check(F.nll_loss(logp, i.T("target"), reduction: red), "out");
        nll.Check(F.nll_loss(logp, i.T("target"), i.T("weight"), red), "weighted");

        var m = Case("mse_inputs");
        Case("mse_loss." + reduction).Check(F.mse_loss(m.T("input"), m.T("target"), red), "out");

        var b = Case("bce_inputs");
        var (bl, bt, bw, pw) = (b.T("logits"), b.T("target"), b.T("weight"), b.T("pos_weight"));
        var bce = Case("bce_with_logits." + reduction);
        bce.Check(F.binary_cross_entropy_with_logits(bl, bt, reduction: red), "out");
        bce.Check(F.binary_cross_entropy_with_logits(bl, bt, bw, red), "weighted");
        bce.Check(F.binary_cross_entropy_with_logits(bl, bt, reduction: red, pos_weights: pw), "pos_weighted");
        bce.Check(F.binary_cross_entropy_with_logits(bl, bt, bw, red, pw), "both");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("mean")]
    [InlineData("sum")]
    public void KlDivergenceWithTorchSharpsLogTargetDefault(string reduction)
    {
        using var scope = NewDisposeScope();
        var red = ParseReduction(reduction);
        var i = Case("kl_inputs");
        var input = i.T("input");
        var c = Case("kl_div." + reduction);
        // TorchSharp's default is log_target = true (PyTorch's is false).
        c.Check(F.kl_div(input, i.T("target_log"), reduction: red), "log_target");
        c.Check(F.kl_div(input, i.T("target_log"), true, red), "log_target");
        c.Check(F.kl_div(input, i.T("target_prob"), log_target: false, reduction: red), "prob_target");
        c.Check(F.kl_div(input, i.T("target_prob"), false, red), "prob_target");
    }

    [Fact]
    public void EveryReferenceCaseIsExercised()
    {
        var prefixes = new[] { "cross_entropy.", "nll_loss.", "mse_loss.", "kl_div.", "bce_with_logits.", "conv2d." };
        var covered = new HashSet<string>
        {
            "linear", "conv_inputs", "conv1d", "batch_norm", "layer_norm", "group_norm", "pool_inputs", "adaptive_avg_pool2d",
            "max_pool2d", "avg_pool2d", "activations", "embedding", "one_hot", "ce_inputs", "mse_inputs", "kl_inputs", "bce_inputs",
        };
        Ref.File(File).EnumerateObject().Select(p => p.Name)
            .Where(n => !covered.Contains(n) && !prefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal))).Should().BeEmpty();
    }
}
