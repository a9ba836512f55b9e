using Efficient.Training.Algorithms;
using System.Collections.Generic;
using TorchSharp.Modules;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>
/// A transformer the library does not know (no Bert types, no core interfaces) takes ALiBi, gated
/// linear units and progressive layer dropping once policies for its module types are registered.
/// </summary>
[Collection(SurgeryPolicyCollection.Name)]
public class SurgeryPolicyTests
{
    private const int Vocab = 11, Width = 8, Inner = 16, Heads = 2;

    /// <summary>Multi-head self-attention with an additive bias argument (not an ISelfAttention).</summary>
    public sealed class TinyAttention : nn.Module<Tensor, Tensor?, Tensor>
    {
        private readonly Linear qkv;
        private readonly Linear proj;

        public TinyAttention() : base(nameof(TinyAttention))
        {
            qkv = nn.Linear(Width, 3 * Width);
            proj = nn.Linear(Width, Width);
            RegisterComponents();
        }

        public int HeadCount => Heads;

        public override Tensor forward(Tensor x, Tensor? bias)
        {
            long b = x.shape[0], s = x.shape[1];
            var qkvs = qkv.call(x).view(b, s, 3, Heads, Width / Heads).permute(2, 0, 3, 1, 4).unbind(0);
            var y = nn.functional.scaled_dot_product_attention(qkvs[0], qkvs[1], qkvs[2], bias);
            return proj.call(y.transpose(1, 2).reshape(b, s, Width));
        }
    }

    /// <summary>A ReLU MLP (not an IFeedForward).</summary>
    public sealed class TinyFeedForward : nn.Module<Tensor, Tensor>
    {
        private readonly Linear up;
        private readonly Linear down;

        public TinyFeedForward() : base(nameof(TinyFeedForward))
        {
            up = nn.Linear(Width, Inner);
            down = nn.Linear(Inner, Width);
            RegisterComponents();
        }

        public long Hidden => Width;

        public long Expansion => Inner;

        public override Tensor forward(Tensor x) => down.call(up.call(x).relu());
    }

    /// <summary>A pre-LN block with a public residual factor (not an IResidualScale).</summary>
    public sealed class TinyBlock : nn.Module<Tensor, Tensor?, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor?, Tensor> attn;
        private readonly nn.Module<Tensor, Tensor> mlp;
        private readonly LayerNorm norm1;
        private readonly LayerNorm norm2;

        public TinyBlock() : base(nameof(TinyBlock))
        {
            attn = new TinyAttention();
            mlp = new TinyFeedForward();
            norm1 = nn.LayerNorm(Width);
            norm2 = nn.LayerNorm(Width);
            RegisterComponents();
        }

        public double Scale { get; set; } = 1;

        /// <summary>The residual factor of every forward pass, in order.</summary>
        public List<double> ScalesSeen { get; } = new();

        public override Tensor forward(Tensor x, Tensor? bias)
        {
            ScalesSeen.Add(Scale);
            x = x + Scale * attn.call(norm1.call(x), bias);
            return x + Scale * mlp.call(norm2.call(x));
        }
    }

    /// <summary>Token plus learned position embeddings.</summary>
    public sealed class TinyEmbedding : nn.Module<Tensor, Tensor>
    {
        private readonly Embedding tokens;
        private readonly nn.Module<Tensor, Tensor> positions;

        public TinyEmbedding() : base(nameof(TinyEmbedding))
        {
            tokens = nn.Embedding(Vocab, Width);
            positions = nn.Embedding(16, Width);
            RegisterComponents();
        }

        public bool LearnsPositions => positions is Embedding;

        public override Tensor forward(Tensor ids) => tokens.call(ids) + positions.call(arange(ids.shape[1], ScalarType.Int64));
    }

    public sealed class TinyTransformer : nn.Module<Tensor, Tensor>
    {
        private readonly TinyEmbedding embed;
        private readonly ModuleList<nn.Module<Tensor, Tensor?, Tensor>> blocks;
        private readonly Linear head;

        public TinyTransformer() : base(nameof(TinyTransformer))
        {
            embed = new TinyEmbedding();
            blocks = nn.ModuleList<nn.Module<Tensor, Tensor?, Tensor>>(new TinyBlock(), new TinyBlock());
            head = nn.Linear(Width, Vocab);
            RegisterComponents();
        }

        public override Tensor forward(Tensor ids)
        {
            var x = embed.call(ids);
            foreach (var block in blocks) x = block.call(x, null);
            return head.call(x);
        }
    }

    private static void RegisterPolicies()
    {
        Alibi.AttentionPolicies.Register<TinyAttention>((attention, context) => Alibi.WrapAttention(attention, attention.HeadCount, context.Options.MaxSequenceLength));
        Alibi.EmbeddingPolicies.Register<TinyEmbedding>((embedding, context) =>
        {
            if (!embedding.LearnsPositions) return null;
            context.Surgery.Replace(context.Child("positions"), Alibi.ZeroPositions(Width));
            return embedding;
        });
        GatedLinearUnits.Policies.Register<TinyFeedForward>((ffn, context) => GatedLinearUnits.CreateFeedForward(ffn.Hidden, context.Options.IntermediateSize ?? ffn.Expansion, context.Options));
        ProgressiveLayerDrop.Policies.Register<TinyBlock>((block, context) => ProgressiveLayerDrop.Droppable(block, context, s => block.Scale = s));
    }

    private static void RemovePolicies()
    {
        Alibi.AttentionPolicies.Remove<TinyAttention>();
        Alibi.EmbeddingPolicies.Remove<TinyEmbedding>();
        GatedLinearUnits.Policies.Remove<TinyFeedForward>();
        ProgressiveLayerDrop.Policies.Remove<TinyBlock>();
    }

    [Fact]
    public void WithoutPoliciesTheTechniquesFindNothing()
    {
        manual_seed(3);
        using var model = new TinyTransformer();
        var run = TransformerRuns.Train(model, new AlibiAlgorithm(), new GatedLinearUnitsAlgorithm(), new ProgressiveLayerDropAlgorithm());
        run.Fit.SurgeryReport.Should().Equal(
            "Alibi: replaced 0 attention modules with ALiBi attention, removed 0 position embeddings",
            "GatedLinearUnits: replaced 0 feed-forward blocks with gated linear units (Gelu)",
            "ProgressiveLayerDrop: replaced 0 encoder layers with droppable layers (theta 0.5, gamma 0.001)");
    }

    [Fact]
    public void RegisteredPoliciesGiveAnUnknownTransformerAlibiGluAndLayerDrop()
    {
        RegisterPolicies();
        try
        {
            manual_seed(3);
            using var model = new TinyTransformer();
            var layerDrop = new ProgressiveLayerDropAlgorithm(new ProgressiveLayerDropOptions { Theta = 0.5, Gamma = 0.5 });
            var run = TransformerRuns.Train(model, new IAlgorithm[] { new AlibiAlgorithm(), new GatedLinearUnitsAlgorithm(), layerDrop }, max: "4ba");

            run.Fit.SurgeryReport.Should().Equal(
                "Alibi: replaced 2 attention modules with ALiBi attention, removed 1 position embeddings",
                "GatedLinearUnits: replaced 2 feed-forward blocks with gated linear units (Gelu)",
                "ProgressiveLayerDrop: replaced 2 encoder layers with droppable layers (theta 0.5, gamma 0.5)");
            var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
            modules["embed.positions"].GetType().Name.Should().Be("ZeroPositionEmbedding");
            modules["blocks.0"].GetType().Name.Should().Be("DroppableLayer");
            modules["blocks.1.layer.attn"].GetType().Name.Should().Be("AlibiSelfAttention");
            modules["blocks.1.layer.attn.attention"].Should().BeOfType<TinyAttention>();
            modules["blocks.1.layer.mlp"].GetType().Name.Should().Be("GatedFeedForward");
            model.named_parameters().Select(p => p.name).Should().NotContain(n => n.StartsWith("embed.positions", StringComparison.Ordinal))
                .And.Contain("blocks.0.layer.mlp.gated_layer.weight");
            run.Batches.Should().HaveCount(4);
            model.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>());

            // ALiBi trains on a quarter of the sequence length (reshaped): [4, 16] batches become [16, 4].
            run.Batches.Should().OnlyContain(b => b.input.shape[0] == 16 && b.input.shape[1] == 4);
            // Layer drop: with gamma 0.5, theta(t) falls quickly; kept layers ran with residual factor 1/p > 1,
            // and every layer is back to factor 1 after each pass.
            var blocks = model.named_modules().Select(m => m.module).OfType<TinyBlock>().ToList();
            blocks.Should().HaveCount(2);
            blocks.SelectMany(b => b.ScalesSeen).Should().Contain(s => s > 1.0001, "a kept layer runs with 1/p_l while training");
            blocks.Should().OnlyContain(b => b.Scale == 1.0);
            layerDrop.LastKeep.Should().HaveCount(2);
        }
        finally
        {
            RemovePolicies();
        }
    }

    [Fact]
    public void TheWrappedModulesComputeTheTechniquesFormulas()
    {
        RegisterPolicies();
        try
        {
            manual_seed(5);
            using var model = new TinyTransformer();
            model.eval();
            var attentionBefore = model.named_modules().Single(m => m.name == "blocks.0.attn").module;
            Alibi.Apply(model).Should().Be((2, 1));
            GatedLinearUnits.Apply(model, new GatedLinearUnitsOptions { Activation = GluActivation.Silu }).Should().Be(2);
            var layerSwitch = ProgressiveLayerDrop.Apply(model);
            layerSwitch.LayerCount.Should().Be(2);
            // Applying again changes nothing: the wrappers are known as converted.
            Alibi.Apply(model).Should().Be((0, 0));
            GatedLinearUnits.Apply(model).Should().Be(0);
            ProgressiveLayerDrop.Apply(model).LayerCount.Should().Be(0);

            var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
            using var x = randn(3, 5, Width);
            // ALiBi: the wrapper calls the original attention with the ALiBi bias [heads, S, S].
            var wrapped = (nn.Module<Tensor, Tensor?, Tensor>)modules["blocks.0.layer.attn"];
            var inner = (TinyAttention)modules["blocks.0.layer.attn.attention"];
            inner.Should().BeSameAs(attentionBefore);
            using (no_grad())
            {
                using var expected = inner.call(x, Alibi.Bias(Heads, 5));
                using var actual = wrapped.call(x, null);
                actual.allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
            }
            // GLU: the replacement computes W_o (silu(W_g x) ⊙ W_n x) with its own weights.
            var glu = (nn.Module<Tensor, Tensor>)modules["blocks.0.layer.mlp"];
            var p = glu.named_parameters().ToDictionary(n => n.name, n => n.parameter);
            using (no_grad())
            {
                using var expected = nn.functional.linear(nn.functional.silu(nn.functional.linear(x, p["gated_layer.weight"]))
                    * nn.functional.linear(x, p["non_gated_layer.weight"]), p["wo.weight"], p["wo.bias"]);
                using var actual = glu.call(x);
                actual.allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
            }
            // Layer drop: in training mode a dropped layer passes its input through; a kept one runs with 1/p.
            model.train();
            var first = (nn.Module<Tensor, Tensor?, Tensor>)modules["blocks.0"];
            var second = (nn.Module<Tensor, Tensor?, Tensor>)modules["blocks.1"];
            var secondBlock = (TinyBlock)modules["blocks.1.layer"];
            layerSwitch.Keep = new[] { false, true };
            layerSwitch.KeepProbabilities = new[] { 0.5, 0.25 };
            using (no_grad())
            {
                var skipped = first.call(x, null);
                ReferenceEquals(skipped, x).Should().BeTrue("a dropped layer returns its input");
                secondBlock.ScalesSeen.Clear();
                using var kept = second.call(x, null);
                secondBlock.ScalesSeen.Should().Equal(4.0);
                secondBlock.Scale.Should().Be(1.0);
            }
        }
        finally
        {
            RemovePolicies();
        }
    }
}

/// <summary>The policy tests change process-wide registries: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SurgeryPolicyCollection
{
    public const string Name = "Surgery policies";
}
