using System.Collections.Generic;
using Efficient.Torch.Modules;
using Efficient.Torch.Utils;

namespace Efficient.Torch.Tests.NN;

public class ModuleTests
{
    private sealed class TwoLayer : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc1;
        [ComponentName(Name = "head")] private readonly Linear fc2;
        private readonly Tensor scale;
        private readonly Parameter gain;
        private readonly Linear? unused = null;

        public TwoLayer() : base(nameof(TwoLayer))
        {
            fc1 = nn.Linear(4, 8);
            fc2 = nn.Linear(8, 2);
            scale = ones(1);
            gain = new Parameter(ones(2));
            RegisterComponents();
        }

        public Linear Fc1 => fc1;
        public Linear? Unused => unused;

        public override Tensor forward(Tensor input) => fc2.call(fc1.call(input).relu()) * gain * scale;
    }

    [Fact]
    public void RegisterComponentsUsesFieldNamesAndComponentName()
    {
        using var m = new TwoLayer();
        m.named_parameters().Select(p => p.name).Should().Equal("gain", "fc1.weight", "fc1.bias", "head.weight", "head.bias");
        m.named_buffers().Select(b => b.name).Should().Equal("scale");
        m.named_children().Select(c => c.name).Should().Equal("fc1", "head");
        m.state_dict().Keys.Should().BeEquivalentTo("gain", "fc1.weight", "fc1.bias", "head.weight", "head.bias", "scale");
        m.parameters().Sum(p => p.numel()).Should().Be(2 + 4 * 8 + 8 + 8 * 2 + 2);
    }

    [Fact]
    public void ParameterMovesTheHandleAndIsALeaf()
    {
        using var scope = NewDisposeScope();
        var data = ones(3) * 2;
        var p = new Parameter(data);
        data.IsInvalid.Should().BeTrue();
        p.is_leaf.Should().BeTrue();
        p.requires_grad.Should().BeTrue();
        scope.Contains(p).Should().BeTrue();
        p.sum().item<float>().Should().Be(6);
    }

    [Fact]
    public void TrainEvalAndZeroGradReachEveryModule()
    {
        using var m = new TwoLayer();
        using var scope = NewDisposeScope();
        m.eval();
        m.modules().All(x => !x.training).Should().BeTrue();
        m.train();
        m.call(ones(3, 4)).sum().backward();
        m.parameters().All(p => p.grad is not null).Should().BeTrue();
        m.zero_grad(set_to_none: false);
        m.parameters().All(p => p.grad!.abs().sum().item<float>() == 0).Should().BeTrue();
        m.zero_grad();
        m.parameters().All(p => p.grad is null).Should().BeTrue();
    }

    [Fact]
    public void LoadStateDictCopiesValuesAndReportsKeys()
    {
        using var a = new TwoLayer();
        using var b = new TwoLayer();
        using var scope = NewDisposeScope();
        var (missing, unexpected) = b.load_state_dict(a.state_dict());
        missing.Should().BeEmpty();
        unexpected.Should().BeEmpty();
        b.Fc1.weight.equal(a.Fc1.weight).Should().BeTrue();

        var partial = new Dictionary<string, Tensor> { ["fc1.weight"] = zeros(8, 4), ["extra"] = ones(1) };
        var strict = () => b.load_state_dict(partial);
        strict.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("missing keys").And.Contain("unexpected keys [extra]");
        var (m2, u2) = b.load_state_dict(partial, strict: false);
        m2.Should().Contain("head.weight");
        u2.Should().Equal("extra");
        b.Fc1.weight.abs().sum().item<float>().Should().Be(0);

        var badShape = new Dictionary<string, Tensor> { ["fc1.weight"] = zeros(3, 3) };
        var act = () => b.load_state_dict(badShape, strict: false);
        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("'fc1.weight' has shape [3, 3] in the source but [8, 4]");
    }

    [Fact]
    public void HooksRunAroundForwardAndCanBeRemoved()
    {
        using var m = new TwoLayer();
        using var scope = NewDisposeScope();
        var calls = new List<string>();
        var pre = m.register_forward_pre_hook((mod, x) => { calls.Add("pre"); return x * 0; });
        var post = m.register_forward_hook((mod, x, y) => { calls.Add("post"); return y + 1; });
        var output = m.call(ones(1, 4));
        calls.Should().Equal("pre", "post");
        pre.remove();
        post.Dispose();
        m.call(ones(1, 4));
        calls.Should().HaveCount(2);
        output.shape.Should().Equal(1, 2);
    }

    [Fact]
    public void ToDtypeKeepsParameterIdentity()
    {
        using var m = new TwoLayer();
        var before = m.Fc1.weight;
        m.to(ScalarType.Float64);
        m.Fc1.weight.Should().BeSameAs(before);
        before.dtype.Should().Be(ScalarType.Float64);
        m.named_buffers().Single().buffer.dtype.Should().Be(ScalarType.Float64);
        using var scope = NewDisposeScope();
        m.call(ones(2, 4, dtype: ScalarType.Float64)).dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void ReplaceModuleSwapsRegistrationAndField()
    {
        using var m = new TwoLayer();
        var replacement = nn.Linear(4, 8, hasBias: false);
        var old = m.ReplaceModule("fc1", replacement);
        old.Should().BeSameAs(m.named_children().Count() == 2 ? old : null);
        m.Fc1.Should().BeSameAs(replacement);
        m.named_parameters().Select(p => p.name).Should().Contain("fc1.weight").And.NotContain("fc1.bias");
        old.Dispose();
        var bad = () => m.ReplaceModule("nope.x", nn.Linear(1, 1));
        bad.Should().Throw<ArgumentException>().Which.Message.Should().Contain("No submodule 'nope'");
    }
}
