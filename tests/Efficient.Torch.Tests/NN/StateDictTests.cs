using Efficient.Torch.Modules;
using static Efficient.Torch.torch.nn;

namespace Efficient.Torch.Tests.NN;

/// <summary>
/// State names and default initialisation as PyTorch's (same seed, same weights), and
/// state_dict round trips between two instances.
/// </summary>
[Collection(Lifetime.SequentialCollection.Name)] // reseeds the global generator
public class StateDictTests
{
    public static TheoryData<string> DefaultModules() => new()
    {
        "Conv2d", "Conv1d", "Embedding", "BatchNorm2d", "LayerNorm", "GroupNorm", "MultiheadAttention", "MultiheadAttention_kdim",
        "TransformerEncoderLayer", "TransformerEncoder",
    };

    private static Module Make(string name) => name switch
    {
        "Conv2d" => Conv2d(3, 4, 3),
        "Conv1d" => Conv1d(2, 3, 4, bias: false),
        "Embedding" => Embedding(5, 3, padding_idx: 2),
        "BatchNorm2d" => BatchNorm2d(3),
        "LayerNorm" => LayerNorm(4),
        "GroupNorm" => GroupNorm(2, 4),
        "MultiheadAttention" => MultiheadAttention(4, 2),
        "MultiheadAttention_kdim" => MultiheadAttention(4, 2, bias: false, add_bias_kv: true, kdim: 3, vdim: 2),
        "TransformerEncoderLayer" => TransformerEncoderLayer(4, 2, dim_feedforward: 6),
        "TransformerEncoder" => MakeEncoder(),
        _ => throw new ArgumentException(name, nameof(name)),
    };

    private static Module MakeEncoder()
    {
        using var layer = TransformerEncoderLayer(4, 2, dim_feedforward: 6);
        return TransformerEncoder(layer, 2);
    }

    [Theory]
    [MemberData(nameof(DefaultModules))]
    public void DefaultInitialisationAndNamesEqualPyTorchs(string name)
    {
        var init = LayerReference.Root.GetProperty("init");
        manual_seed(99);
        using var module = Make(name);
        using var scope = NewDisposeScope();
        var expectedKeys = init.GetProperty("keys:" + name).EnumerateArray().Select(k => k.GetString()!).ToArray();
        var state = module.state_dict();
        state.Keys.Should().Equal(expectedKeys);
        foreach (var entry in init.GetProperty("module:" + name).EnumerateObject())
            LayerReference.AssertClose(state[entry.Name], entry.Value, $"{name}.{entry.Name} after manual_seed(99)", atol: 1e-6, rtol: 1e-6);
    }

    public static TheoryData<string> RoundTripModules() => new()
    {
        "Conv2d", "Conv1d", "Embedding", "BatchNorm2d", "LayerNorm", "GroupNorm", "MultiheadAttention", "MultiheadAttention_kdim",
        "TransformerEncoderLayer", "TransformerEncoder", "Sequential", "ModuleDict",
    };

    private static Module MakeAny(string name) => name switch
    {
        "Sequential" => Sequential(("conv", Conv2d(2, 4, 3, padding: 1)), ("bn", BatchNorm2d(4)), ("act", ReLU()), ("pool", AdaptiveAvgPool2d(1)), ("flat", Flatten()), ("fc", Linear(4, 3))),
        "ModuleDict" => ModuleDict(("enc", (Module)Conv2d(2, 2, 1)), ("norm", LayerNorm(3)), ("list", ModuleList(Linear(2, 2), Linear(2, 1)))),
        _ => Make(name),
    };

    [Theory]
    [MemberData(nameof(RoundTripModules))]
    public void StateDictRoundTripsBetweenTwoInstances(string name)
    {
        manual_seed(1);
        using var a = MakeAny(name);
        manual_seed(2);
        using var b = MakeAny(name);
        using var scope = NewDisposeScope();
        // Make every entry differ (LayerNorm and BatchNorm start from constants).
        var sa = a.state_dict();
        using (no_grad())
        {
            foreach (var t in sa.Values)
            {
                if (t.is_floating_point()) t.add_(rand_like(t));
                else t.add_(3);
            }
        }
        var before = b.state_dict();
        sa.Keys.Should().OnlyContain(k => !sa[k].equal(before[k]), "the two instances start different");

        var (missing, unexpected) = b.load_state_dict(sa);
        missing.Should().BeEmpty();
        unexpected.Should().BeEmpty();
        var sb = b.state_dict();
        sb.Keys.Should().Equal(sa.Keys);
        foreach (var key in sa.Keys)
        {
            sb[key].equal(sa[key]).Should().BeTrue($"{name}: '{key}' is copied");
            sb[key].Should().NotBeSameAs(sa[key], "load_state_dict copies values, it does not share tensors");
        }
    }

    [Fact]
    public void StateNamesFollowPyTorch()
    {
        using var bn = BatchNorm1d(3);
        bn.state_dict().Keys.Should().Equal("weight", "bias", "running_mean", "running_var", "num_batches_tracked");
        bn.parameters().Should().HaveCount(2);
        bn.buffers().Should().HaveCount(3);
        using var stateless = BatchNorm2d(3, affine: false, track_running_stats: false);
        stateless.state_dict().Should().BeEmpty();

        using var mha = MultiheadAttention(8, 2);
        mha.state_dict().Keys.Should().Equal("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias");

        using var layer = TransformerEncoderLayer(8, 2, 16);
        layer.named_children().Select(c => c.name).Should().Equal("self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2");
        using var encoder = TransformerEncoder(layer, 3);
        encoder.state_dict().Keys.Should().Contain(new[] { "layers.0.self_attn.in_proj_weight", "layers.2.norm2.bias", "layers.1.linear1.weight" });
        encoder.parameters().Should().HaveCount(3 * layer.parameters().Count());
    }

    [Fact]
    public void EncoderLayersAreIndependentCopiesAndCloningDrawsNoRandomNumbers()
    {
        manual_seed(5);
        using var layer = TransformerEncoderLayer(8, 2, 16);
        using var expectedNext = rand(4);
        manual_seed(5);
        using var layer2 = TransformerEncoderLayer(8, 2, 16);
        using var encoder = TransformerEncoder(layer2, 2);
        using var next = rand(4);
        next.equal(expectedNext).Should().BeTrue("PyTorch deep-copies the layer without touching the generator");

        var w0 = encoder.get_parameter("layers.0.linear1.weight")!;
        var w1 = encoder.get_parameter("layers.1.linear1.weight")!;
        w0.Should().NotBeSameAs(w1);
        w0.equal(layer2.get_parameter("linear1.weight")!).Should().BeTrue();
        using (no_grad()) w0.zero_();
        w1.abs().sum().ToDouble().Should().BeGreaterThan(0, "layers do not share storage");
    }
}
