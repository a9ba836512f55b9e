using Efficient.Training.Models;
using Efficient.Training.Tests.Algorithms;
using static Efficient.Training.Tests.Models.TransformerReference;

namespace Efficient.Training.Tests.Models;

public class BertEncoderTests
{
    [Fact]
    public void PostLayerNormTiedForwardMatchesPyTorch()
    {
        var c = Section("bert_post_ln_tied");
        using var model = new BertEncoder(Options(c));
        LoadWeights(model, c);
        model.Head.IsTied.Should().BeTrue();
        // The tied decoder is not a second parameter: only the head's bias is.
        model.named_parameters().Select(p => p.name).Should().Contain("head.bias").And.NotContain(n => n.StartsWith("head.decoder"));
        ShouldMatchLogits(model, c);
    }

    [Fact]
    public void PreLayerNormUntiedForwardMatchesPyTorch()
    {
        var c = Section("bert_pre_ln_untied");
        using var model = new BertEncoder(Options(c));
        LoadWeights(model, c);
        model.Head.IsTied.Should().BeFalse();
        ShouldMatchLogits(model, c);
    }

    [Fact]
    public void PaddingDoesNotChangeTheRealTokensOutputs()
    {
        var c = Section("bert_post_ln_tied");
        using var model = new BertEncoder(Options(c));
        LoadWeights(model, c);
        model.eval();
        using var _ = no_grad();
        // Row 1 of the reference: 3 real tokens then 2 padding tokens.
        using var padded = tensor(new long[] { 3, 3, 9, 0, 0 }, 1, 5);
        using var mask = tensor(new long[] { 1, 1, 1, 0, 0 }, 1, 5);
        using var @short = tensor(new long[] { 3, 3, 9 }, 1, 3);
        using var a = model.forward(padded, mask).narrow(1, 0, 3);
        using var b = model.forward(@short);
        a.Values().ShouldBeClose(b.Values(), rtol: 1e-5, atol: 1e-5);
    }

    [Fact]
    public void DefaultsAreBertBaseAndBadOptionsListEveryFailure()
    {
        var o = new BertEncoderOptions();
        (o.VocabSize, o.HiddenSize, o.Layers, o.Heads, o.IntermediateSize, o.MaxLength).Should().Be((30522L, 768L, 12, 12, 3072L, 512L));
        (o.Dropout, o.AttentionDropout, o.PreLayerNorm, o.TieWordEmbeddings, o.LayerNormEps).Should().Be((0.1, 0.1, false, true, 1e-12));
        var act = () => new BertEncoder(new BertEncoderOptions { VocabSize = 0, HiddenSize = 10, Heads = 4, Layers = 0, Dropout = 1 });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "BertEncoderOptions is invalid: Property VocabSize: 0 is invalid; expected an integer >= 1. " +
            "Property HiddenSize: 10 is invalid; expected a positive multiple of Heads (4). " +
            "Property Layers: 0 is invalid; expected an integer >= 1. " +
            "Property Dropout: 1 is invalid; expected a probability in [0, 1).");
    }

    [Fact]
    public void BadInputsNameTheParameter()
    {
        using var model = new BertEncoder(new BertEncoderOptions { VocabSize = 11, HiddenSize = 8, Heads = 2, Layers = 1, IntermediateSize = 16, MaxLength = 6 });
        using var floats = zeros(2, 4);
        FluentActions.Invoking(() => model.call(floats)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("input");
        using var tooLong = zeros(new long[] { 2, 7 }, ScalarType.Int64);
        FluentActions.Invoking(() => model.call(tooLong)).Should().Throw<ArgumentException>()
            .WithMessage("The sequence length 7 exceeds the position embeddings' maximum length 6 (BertEncoderOptions.MaxLength).*");
        using var ids = zeros(new long[] { 2, 4 }, ScalarType.Int64);
        using var badMask = ones(2, 5);
        FluentActions.Invoking(() => model.forward(ids, badMask)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("attentionMask");
    }

    [Fact]
    public void ExposesReplaceableSubmodulesByName()
    {
        using var model = new BertEncoder(new BertEncoderOptions { VocabSize = 11, HiddenSize = 8, Heads = 2, Layers = 2, IntermediateSize = 16, MaxLength = 6 });
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        modules["embeddings"].Should().BeOfType<BertEmbeddings>();
        modules["embeddings.position"].Should().BeOfType<TorchSharp.Modules.Embedding>();
        modules["layers.1"].Should().BeOfType<BertLayer>();
        modules["layers.1.attention"].Should().BeOfType<BertSelfAttention>();
        modules["layers.1.feed_forward"].Should().BeOfType<BertFeedForward>();
        modules["head"].Should().BeOfType<BertMlmHead>();
    }

    [Fact]
    public void OtherSurgeryReachesTheLayerNorms()
    {
        var c = Section("bert_pre_ln_untied");
        using var model = new BertEncoder(Options(c));
        LoadWeights(model, c);
        // Embeddings, 2 per layer, the final norm (pre-LN) and the head's: 7 LayerNorms, weights kept.
        Efficient.Training.Algorithms.LowPrecisionLayerNorm.Apply(model).Should().Be(7);
        ShouldMatchLogits(model, c);
    }

    [Fact]
    public void InitialisesAsBert()
    {
        manual_seed(0);
        using var model = new BertEncoder(new BertEncoderOptions { VocabSize = 1000, HiddenSize = 16, Heads = 2, Layers = 1, IntermediateSize = 64, MaxLength = 8 });
        var p = model.named_parameters().ToDictionary(e => e.name, e => e.parameter);
        // Weights and embeddings ~ N(0, 0.02²) (16,000 token-embedding draws: the std is within 0.001), biases 0, LayerNorms (1, 0).
        p["embeddings.token.weight"].std().ToDouble().Should().BeApproximately(0.02, 0.001);
        p["layers.0.feed_forward.intermediate.weight"].std().ToDouble().Should().BeApproximately(0.02, 0.002);
        p["layers.0.attention.qkv.bias"].abs().max().ToDouble().Should().Be(0);
        p["head.bias"].abs().max().ToDouble().Should().Be(0);
        p["layers.0.attention_norm.weight"].Values().Should().OnlyContain(v => v == 1f);
    }
}
