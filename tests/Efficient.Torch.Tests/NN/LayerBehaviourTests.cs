using Efficient.Torch.Modules;
using static Efficient.Torch.torch.nn;
using F = Efficient.Torch.torch.nn.functional;

namespace Efficient.Torch.Tests.NN;

/// <summary>Behaviour beyond a single forward pass: modes, running statistics, dropout, in-place variants, hooks, moves.</summary>
public class LayerBehaviourTests
{
    [Fact]
    public void BatchNormTracksAndResetsRunningStatistics()
    {
        using var bn = BatchNorm2d(2, momentum: 0.5);
        using var scope = NewDisposeScope();
        var x = randn(4, 2, 3, 3) * 2 + 3;
        bn.call(x);
        bn.call(x);
        bn.num_batches_tracked!.ToInt64().Should().Be(2);
        var mean = x.mean(new long[] { 0, 2, 3 });
        // After two updates with momentum 0.5 from 0: 0.75 · batch mean.
        bn.running_mean!.allclose(mean * 0.75, rtol: 1e-5, atol: 1e-6).Should().BeTrue();

        bn.eval();
        var y = bn.call(x);
        var expected = (x - bn.running_mean.view(1, 2, 1, 1)) / (bn.running_var!.view(1, 2, 1, 1) + bn.eps).sqrt();
        y.allclose(expected, rtol: 1e-4, atol: 1e-5).Should().BeTrue("evaluation uses the running statistics (weight 1, bias 0)");
        bn.num_batches_tracked!.ToInt64().Should().Be(2, "evaluation does not count batches");

        bn.reset_running_stats();
        bn.running_mean.abs().sum().ToDouble().Should().Be(0);
        bn.running_var.sum().ToDouble().Should().Be(2);
        bn.num_batches_tracked!.ToInt64().Should().Be(0);
        bn.affine.Should().BeTrue();
        bn.track_running_stats.Should().BeTrue();
        bn.num_features.Should().Be(2);
    }

    [Fact]
    public void MovingABatchNormConvertsFloatBuffersAndKeepsTheCounter()
    {
        using var bn = BatchNorm1d(3);
        var weight = bn.weight;
        bn.to(ScalarType.Float64);
        bn.weight.Should().BeSameAs(weight);
        bn.weight.dtype.Should().Be(ScalarType.Float64);
        bn.running_mean!.dtype.Should().Be(ScalarType.Float64);
        bn.running_var!.dtype.Should().Be(ScalarType.Float64);
        bn.num_batches_tracked!.dtype.Should().Be(ScalarType.Int64);
        bn.get_buffer("running_mean").Should().BeSameAs(bn.running_mean, "the property and the registration agree after the move");
        using var scope = NewDisposeScope();
        bn.call(randn(4, 3, dtype: ScalarType.Float64)).dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void DropoutZeroesAndRescalesInTrainingOnly()
    {
        using var scope = NewDisposeScope();
        using var drop = Dropout(0.25);
        var x = ones(200, 100);
        var y = drop.call(x);
        var zeroFraction = (y == 0).to(ScalarType.Float32).mean().ToDouble();
        zeroFraction.Should().BeApproximately(0.25, 0.02);
        y.max().ToDouble().Should().BeApproximately(1 / 0.75, 1e-6);
        drop.eval();
        drop.call(x).equal(x).Should().BeTrue();

        using var inplace = Dropout(0.5, inplace: true);
        var z = ones(10, 10);
        inplace.call(z).Should().BeSameAs(z);
        (z == 0).any().ToBoolean().Should().BeTrue();
    }

    [Fact]
    public void InPlaceActivationsOverwriteTheirInput()
    {
        using var scope = NewDisposeScope();
        foreach (var m in new Module<Tensor, Tensor>[] { ReLU(inplace: true), SiLU(true), Tanh(true), Sigmoid(true), GELU(true), GELU(Modules.GELU.Approximate.tanh, inplace: true) })
        {
            using (m)
            {
                var x = linspace(-2, 2, 9);
                var expected = m switch
                {
                    Modules.ReLU => x.relu(),
                    Modules.SiLU => x * x.sigmoid(),
                    Modules.Tanh => x.tanh(),
                    Modules.Sigmoid => x.sigmoid(),
                    Modules.GELU g when g.approximate == Modules.GELU.Approximate.tanh => F.gelu(x, Modules.GELU.Approximate.tanh),
                    _ => F.gelu(x),
                };
                m.call(x).Should().BeSameAs(x, m.GetName());
                x.allclose(expected, rtol: 1e-6, atol: 1e-7).Should().BeTrue(m.GetName());
            }
        }
    }

    [Fact]
    public void ParameterLessModulesRefuseState()
    {
        using var relu = ReLU();
        relu.Should().BeAssignableTo<IParameterLessModule>();
        var act = () => relu.register_buffer("b", zeros(1));
        act.Should().Throw<InvalidOperationException>().WithMessage("*buffer 'b'*ReLU*parameter-less*");
        var act2 = () => relu.register_parameter("w", new Parameter(zeros(1)));
        act2.Should().Throw<InvalidOperationException>().WithMessage("*parameter 'w'*");
        var act3 = () => relu.register_module("lin", Linear(1, 1));
        act3.Should().Throw<InvalidOperationException>().WithMessage("*'lin'*must also be parameter-less*");
        relu.register_module("inner", Tanh());
        relu.parameters().Should().BeEmpty();
    }

    [Fact]
    public void EmbeddingFromPretrainedSharesStorageAndCanBeFrozen()
    {
        using var scope = NewDisposeScope();
        var table = arange(12f).reshape(4, 3);
        using var frozen = Embedding_from_pretrained(table);
        table.IsInvalid.Should().BeFalse("the caller's tensor stays valid");
        frozen.weight!.requires_grad.Should().BeFalse();
        frozen.call(tensor(new long[] { 2, 0 })).equal(tensor(new float[] { 6, 7, 8, 0, 1, 2 }, new long[] { 2, 3 })).Should().BeTrue();
        using (no_grad()) table[0, 0].fill_(100);
        frozen.weight[0, 0].ToSingle().Should().Be(100, "the weight shares the pretrained tensor's storage");

        using var trainable = Embedding_from_pretrained(table, freeze: false, padding_idx: -1);
        trainable.weight!.requires_grad.Should().BeTrue();
        trainable.call(tensor(new long[] { 3, 1, 3 })).sum().backward();
        var g = trainable.weight.grad!;
        g[3].abs().sum().ToDouble().Should().Be(0, "padding_idx = -1 is the last row, which gets no gradient");
        g[1].sum().ToDouble().Should().Be(3);
    }

    [Fact]
    public void EmbeddingZeroesItsPaddingRow()
    {
        using var emb = Embedding(6, 4, padding_idx: -2);
        using var scope = NewDisposeScope();
        emb.weight![4].abs().sum().ToDouble().Should().Be(0);
        emb.weight[3].abs().sum().ToDouble().Should().BeGreaterThan(0);
    }

    [Fact]
    public void MultiheadAttentionReturnsNullWeightsWhenNotAskedAndRunsHooks()
    {
        using var mha = MultiheadAttention(8, 2, dropout: 0.5);
        mha.eval();
        using var scope = NewDisposeScope();
        var x = randn(5, 2, 8);
        var (a, w) = mha.call(x, x, x);
        w.shape.Should().Equal(2, 5, 5);
        w.sum(-1).allclose(ones(2, 5)).Should().BeTrue("rows of attention weights sum to one");
        var (b, none) = mha.call(x, x, x, need_weights: false);
        none.Should().BeNull();
        b.allclose(a).Should().BeTrue("no dropout in evaluation mode");

        var seen = 0;
        using var hook = mha.register_forward_pre_hook((m, q, k, v, kpm, need, mask) => { seen++; return null; });
        using var post = mha.register_forward_hook((m, q, k, v, kpm, need, mask, result) => Tuple.Create(result.Item1 * 0, result.Item2));
        var (c, _) = mha.call(x, x, x);
        seen.Should().Be(1);
        c.abs().sum().ToDouble().Should().Be(0);
    }

    [Fact]
    public void TransformerEncoderLayerIsDeterministicInEvaluationAndRandomInTraining()
    {
        using var layer = TransformerEncoderLayer(8, 2, 16, dropout: 0.3, activation: Activations.GELU);
        using var scope = NewDisposeScope();
        var x = randn(6, 2, 8);
        layer.train();
        layer.call(x).equal(layer.call(x)).Should().BeFalse("dropout is active in training");
        layer.eval();
        var y = layer.call(x);
        y.equal(layer.call(x)).Should().BeTrue();
        y.shape.Should().Equal(6, 2, 8);
        using var encoder = TransformerEncoder(layer, 2);
        encoder.eval();
        var causal = arange(6).unsqueeze(1) < arange(6).unsqueeze(0);
        encoder.call(x, causal).shape.Should().Equal(6, 2, 8);
        var padding = zeros(2, 6, dtype: ScalarType.Bool);
        encoder.call(x, null, padding).allclose(encoder.call(x)).Should().BeTrue("an all-false padding mask changes nothing");
    }

    [Fact]
    public void LayersBuiltInsideADisposeScopeKeepTheirState()
    {
        Sequential model;
        using (NewDisposeScope())
            model = Sequential(Conv2d(1, 2, 3), BatchNorm2d(2), Flatten(), Linear(2 * 3 * 3, 2), LayerNorm(2));
        using (model)
        using (NewDisposeScope())
        {
            model.parameters().Should().OnlyContain(p => !p.IsInvalid);
            model.buffers().Should().OnlyContain(b => !b.IsInvalid);
            model.call(randn(2, 1, 5, 5)).shape.Should().Equal(2, 2);
        }
    }

    [Fact]
    public void PoolingAndConvolutionPropertiesReflectTheirArguments()
    {
        using var conv = Conv2d(4, 8, (3, 5), Padding.Same, dilation: (2, 1), padding_mode: PaddingModes.Reflect, groups: 2, bias: false);
        conv.kernel_size.Should().Equal(3, 5);
        conv.padding.Should().BeNull();
        conv.padding_type.Should().Be(Padding.Same);
        conv.bias.Should().BeNull();
        conv.weight.shape.Should().Equal(8, 2, 3, 5);
        conv.groups.Should().Be(2);
        using var scope = NewDisposeScope();
        conv.call(randn(1, 4, 7, 9)).shape.Should().Equal(1, 8, 7, 9);

        using var pool = MaxPool2d(3);
        pool.stride.Should().Equal(3, 3);
        using var avg = AvgPool2d((2, 4), stride: (1, 2));
        avg.kernel_size.Should().Equal(2, 4);
        avg.stride.Should().Equal(1, 2);
        using var adaptive = AdaptiveAvgPool2d(new long[] { 5 });
        adaptive.output_size.Should().Equal(5, 5);
    }

    [Fact]
    public void FunctionalOverloadsAgree()
    {
        using var scope = NewDisposeScope();
        var x = randn(1, 2, 6, 6);
        F.max_pool2d(x, 2).equal(F.max_pool2d(x, new long[] { 2, 2 })).Should().BeTrue();
        F.max_pool2d(x, (2, 3), stride: (1, 1)).equal(F.max_pool2d(x, new long[] { 2, 3 }, new long[] { 1, 1 })).Should().BeTrue();
        F.avg_pool2d(x, 3, stride: 1, padding: 1).equal(F.avg_pool2d(x, new long[] { 3, 3 }, new long[] { 1, 1 }, new long[] { 1, 1 })).Should().BeTrue();
        F.avg_pool2d(x, (2, 3)).equal(F.avg_pool2d(x, new long[] { 2, 3 })).Should().BeTrue();
        F.adaptive_avg_pool2d(x, (2, 3)).equal(F.adaptive_avg_pool2d(x, new long[] { 2, 3 })).Should().BeTrue();
        F.pad(x, 1).equal(F.pad(x, (1, 1, 1, 1))).Should().BeTrue();
        F.pad(x, (2, 0)).shape.Should().Equal(1, 2, 6, 8);
        F.pad(x, new ReadOnlySpan<long>(new long[] { 1, 1, 0, 0, 1, 1 })).shape.Should().Equal(1, 4, 6, 8);
        F.unfold(x, 3, dilation: 1, padding: 1, stride: 1).shape.Should().Equal(1, 2 * 9, 36);
    }
}
