using System.Collections.Generic;
using Efficient.Training.Algorithms;
using Efficient.Training.Models;
using Efficient.Training.Tests.Models;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;
using static Efficient.Training.Tests.Algorithms.Model.TransformerRuns;
using static Efficient.Training.Tests.Models.TransformerReference;

namespace Efficient.Training.Tests.Algorithms.Model;

public class AlibiTests
{
    [Fact]
    public void SlopesFollowThePapersFormula()
    {
        // Power of two: 2^(-8h/n), h = 1..n.
        Alibi.Slopes(8).Should().Equal(0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625);
        // 12 heads: the 8 slopes of n = 8, then slopes(16)[0::2][:4] = 2^(-h/2) for h = 1, 3, 5, 7.
        var expected12 = Enumerable.Range(1, 8).Select(h => Math.Pow(2, -h)).Concat(new[] { 1, 3, 5, 7 }.Select(h => Math.Pow(2, -h / 2.0))).ToArray();
        Alibi.Slopes(12).Should().HaveCount(12);
        for (var i = 0; i < 12; i++) Alibi.Slopes(12)[i].ShouldBeClose(expected12[i], rtol: 1e-15, atol: 0);
        // And the reference implementation's values (Press et al.'s get_slopes, run in the generator).
        foreach (var n in new[] { 1, 2, 6, 8, 12, 16 })
        {
            var reference = Section("alibi_slopes").GetProperty(n.ToString()).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var slopes = Alibi.Slopes(n);
            slopes.Should().HaveCount(n);
            for (var i = 0; i < n; i++) slopes[i].ShouldBeClose(reference[i], rtol: 1e-14, atol: 0);
        }
    }

    [Fact]
    public void BiasMatchesTheReference()
    {
        var c = Section("alibi_bias");
        using var bias = Alibi.Bias(6, 5);
        bias.shape.Should().Equal(6, 5, 5);
        bias.dtype.Should().Be(ScalarType.Float32);
        bias.Values().ShouldBeClose(c.Floats("bias"), rtol: 1e-6, atol: 0);
        // Hand check: 6 heads take slopes(4) = 2^(-2h) first, so head 0 has slope 0.25; at |i - j| = 3 the bias is -0.75.
        bias[0, 0, 3].ToSingle().Should().Be(-0.75f);
        bias[0, 2, 2].ToSingle().Should().Be(0f);
    }

    [Fact]
    public void AttentionMatchesPyTorchWithTheBiasAsAttnMask()
    {
        var c = Section("alibi_attention");
        var w = c.GetProperty("weights");
        using var attention = new BertSelfAttention(new BertEncoderOptions { HiddenSize = 12, Heads = 6, AttentionDropout = 0 });
        using (no_grad())
            foreach (var (name, p) in attention.named_parameters())
            {
                using var t = tensor(w.Floats(name), p.shape);
                p.copy_(t);
            }
        using var alibi = Alibi.WrapAttention(attention, attention.Heads);
        alibi.eval();
        using var x = tensor(c.Floats("x"), 2, 5, 12);
        using var _ = no_grad();
        using var y = alibi.call(x, null);
        y.Values().ShouldBeClose(c.Floats("output"), rtol: 1e-5, atol: 1e-6);
        // With a padding mask: PyTorch's key_padding_mask plus the ALiBi attn_mask.
        using var mask = tensor(c.Floats("mask").Select(v => (long)v).ToArray(), 2, 5);
        using var masked = alibi.call(x, BertEncoder.PaddingBias(mask));
        masked.Values().ShouldBeClose(c.Floats("output_masked"), rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void EncoderWithAlibiMatchesPyTorchPastTheLearnedMaximumLength()
    {
        var c = Section("bert_alibi");
        using var model = new BertEncoder(Options(c));
        Alibi.Apply(model).Should().Be((2, 1));
        model.Embeddings.HasPositionEmbedding.Should().BeFalse();
        model.named_parameters().Select(p => p.name).Should().NotContain(n => n.Contains("position"));
        LoadWeights(model, c);
        // Sequences of 12 tokens, longer than MaxLength = 10 of the learned embedding that was removed.
        ShouldMatchLogits(model, c);
        // Applying it again changes nothing.
        Alibi.Apply(model).Should().Be((0, 0));
    }

    [Fact]
    public void AlgorithmTrainsOnAQuarterOfTheLengthAndEvaluatesOnAll()
    {
        using var model = SmallBert(maxLength: 4);
        var evalLengths = new List<long>();
        var (x, y) = Tokens(8, 16);
        var eval = new TensorTrainingData(x, y, 4, shuffle: false);
        var algorithm = new AlibiAlgorithm();
        var hook = model.register_forward_pre_hook((_, input) =>
        {
            if (!model.training) evalLengths.Add(input.shape[1]);
            return input;
        });
        var run = Train(model, new IAlgorithm[] { algorithm }, eval: eval, data: (x, y));
        run.Fit.SurgeryReport.Should().Equal("Alibi: replaced 2 attention modules with ALiBi attention, removed 1 position embeddings");
        // 0.25 × 16 = 4 positions in training, the batch's 4 × 16 tokens regrouped into 16 rows (Composer) ...
        run.Batches.Select(b => b.input.shape).Should().AllBeEquivalentTo(new long[] { 16, 4 });
        Longs(run.Batches[1].input).Should().Equal(Longs(x.narrow(0, 4, 4)));
        // ... and the full 16 in evaluation, beyond the removed embedding's maximum length 4.
        evalLengths.Should().NotBeEmpty().And.OnlyContain(l => l == 16);
        run.Fit.Metrics.Should().ContainKey("loss");
        hook.remove();
    }

    [Fact]
    public void ReshapeModeKeepsEveryToken()
    {
        using var g = new Generator(2);
        using var ids = randint(0, 11, new long[] { 4, 16 }, generator: g);
        var batch = new Batch(ids, ids, ids.numel());
        var reshaped = Alibi.ScaleSequenceLength(batch, 0.25, truncate: false);
        reshaped.Input.shape.Should().Equal(16, 4);
        reshaped.Tokens.Should().Be(64);
        Longs(reshaped.Input).Should().Equal(Longs(ids));
        Alibi.ScaleSequenceLength(batch, 1).Should().BeSameAs(batch);
        Alibi.ScaleSequenceLength(batch, 0.3).Input.shape.Should().Equal(new long[] { 16, 4 }, "reshape is the default, as in Composer");
        Alibi.ScaleSequenceLength(batch, 0.3, truncate: true).Input.shape.Should().Equal(4, 4);
    }

    [Fact]
    public void NothingToReplaceIsReportedAndTheBatchesAreLeftAlone()
    {
        using var model = new TokenNet();
        var run = Train(model, new AlibiAlgorithm());
        run.Fit.SurgeryReport.Should().Equal("Alibi: replaced 0 attention modules with ALiBi attention, removed 0 position embeddings");
        run.Batches.Select(b => b.input.shape[1]).Should().OnlyContain(l => l == 16);
    }

    [Fact]
    public void SequencesPastTheMaximumThrow()
    {
        using var model = SmallBert();
        Alibi.Apply(model, maxSequenceLength: 8);
        using var ids = zeros(new long[] { 1, 9 }, ScalarType.Int64);
        FluentActions.Invoking(() => model.call(ids)).Should().Throw<ArgumentException>()
            .WithMessage("The sequence length 9 exceeds ALiBi's maximum sequence length 8 (AlibiOptions.MaxSequenceLength).*");
        FluentActions.Invoking(() => Alibi.Slopes(0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("heads");
        using var images = zeros(2, 3, 4, 4);
        FluentActions.Invoking(() => Alibi.ScaleSequenceLength(new Batch(images, images), 0.5)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("batch");
    }

    [Fact]
    public void DefaultsFollowComposerAndBadOptionsListEveryFailure()
    {
        var o = new AlibiOptions();
        (o.MaxSequenceLength, o.TrainSequenceLengthScaling, o.Truncate).Should().Be((8192L, 0.25, false));
        var act = () => new AlibiAlgorithm(new AlibiOptions { MaxSequenceLength = 0, TrainSequenceLengthScaling = 0 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "AlibiOptions is invalid: Property MaxSequenceLength: 0 is invalid; expected an integer >= 1. " +
            "Property TrainSequenceLengthScaling: 0 is invalid; expected a value in (0, 1].");
    }
}
