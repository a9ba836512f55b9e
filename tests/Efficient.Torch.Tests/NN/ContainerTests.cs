using System.Collections.Generic;
using Efficient.Torch.Modules;
using static Efficient.Torch.torch.nn;

namespace Efficient.Torch.Tests.NN;

/// <summary>Sequential, ModuleList and ModuleDict: registration, naming, indexing, slicing, modes, ownership.</summary>
public class ContainerTests
{
    [Fact]
    public void SequentialNamesAppendsAndIndexes()
    {
        using var seq = Sequential(Linear(4, 8), ReLU());
        seq.append("head", Linear(8, 2)).append(Tanh());
        seq.Count.Should().Be(4);
        seq.named_children().Select(c => c.name).Should().Equal("0", "1", "head", "3");
        seq.named_parameters().Select(p => p.name).Should().Equal("0.weight", "0.bias", "head.weight", "head.bias");
        seq[2].Should().BeOfType<Linear>();
        ((Action)(() => _ = seq[4])).Should().Throw<ArgumentOutOfRangeException>();

        using var scope = NewDisposeScope();
        var x = randn(3, 4);
        var expected = ((Linear)seq[2]).call(((Linear)seq[0]).call(x).relu()).tanh();
        seq.call(x).allclose(expected).Should().BeTrue();
    }

    [Fact]
    public void SequentialForwardKeepsTheGraphAndReturnsAFreshTensor()
    {
        using var seq = Sequential(("conv", Conv2d(1, 2, 3, padding: 1)), ("bn", BatchNorm2d(2)), ("act", ReLU(inplace: true)), ("id", Identity()), ("flat", Flatten()));
        using var scope = NewDisposeScope();
        var x = randn(2, 1, 4, 4).requires_grad_();
        var y = seq.call(x);
        y.shape.Should().Equal(2, 32);
        y.sum().backward();
        x.grad.Should().NotBeNull("intermediates were disposed but autograd keeps what it needs");
        seq.parameters().All(p => p.grad is not null).Should().BeTrue();

        using var empty = Sequential();
        var z = empty.call(x);
        z.Should().NotBeSameAs(x);
        z.equal(x).Should().BeTrue();
    }

    [Fact]
    public void SequentialSlicesShareModulesWithoutOwningThem()
    {
        using var seq = Sequential(("a", Linear(2, 3)), ("b", ReLU()), ("c", Linear(3, 1)), ("d", Sigmoid()));
        using (var tail = seq[1..])
        {
            tail.Count.Should().Be(3);
            tail.named_children().Select(c => c.name).Should().Equal("b", "c", "d");
            tail[1].Should().BeSameAs(seq[2]);
        }
        using (var middle = seq[(1, -1)])
            middle.named_children().Select(c => c.name).Should().Equal("b", "c");
        using (var none = seq[(3, 1)])
            none.Count.Should().Be(0);

        // Disposing the slices left the shared modules usable.
        using var scope = NewDisposeScope();
        seq.call(ones(1, 2)).shape.Should().Equal(1, 1);
        ((Linear)seq[2]).weight.IsInvalid.Should().BeFalse();
    }

    [Fact]
    public void TrainAndEvalReachEveryChild()
    {
        using var seq = Sequential(Linear(2, 2), Dropout(0.5), Sequential(BatchNorm1d(2), Dropout()));
        seq.eval();
        seq.modules().Should().OnlyContain(m => !m.training);
        seq.training.Should().BeFalse();
        seq.train();
        seq.modules().Should().OnlyContain(m => m.training);
        seq.train(false);
        seq.modules().Should().OnlyContain(m => !m.training);
    }

    [Fact]
    public void SequentialRejectsDuplicateNamesAndNonModules()
    {
        using var seq = Sequential(("x", Linear(1, 1)));
        var dup = () => seq.append("x", ReLU());
        dup.Should().Throw<ArgumentException>().Where(e => e.ParamName == "name").WithMessage("*name 'x' is already used*");
        var alien = () => seq.append(new NotAModule());
        alien.Should().Throw<ArgumentException>().Where(e => e.ParamName == "module").WithMessage("*NotAModule*");
    }

    private sealed class NotAModule : IModule<Tensor, Tensor>
    {
        public Tensor call(Tensor input1) => input1;
    }

    [Fact]
    public void ReplaceModuleWorksInsideSequential()
    {
        using var seq = Sequential(Linear(2, 2), ReLU());
        var old = seq.ReplaceModule("1", Tanh());
        old.Dispose();
        seq[1].Should().BeOfType<Tanh>();
        using var scope = NewDisposeScope();
        seq.call(full(1, 2, -100f)).min().ToDouble().Should().BeGreaterThanOrEqualTo(-1);
    }

    private sealed class Tower : Module<Tensor, Tensor>
    {
        private readonly ModuleList<Linear> blocks = new(Linear(3, 3), Linear(3, 3));

        public Tower() : base(nameof(Tower)) => RegisterComponents();

        public ModuleList<Linear> Blocks => blocks;

        public override Tensor forward(Tensor input) => blocks.Aggregate(input, (x, b) => b.call(x));
    }

    [Fact]
    public void ModuleListRegistersItemsByPosition()
    {
        using var tower = new Tower();
        tower.named_parameters().Select(p => p.name).Should().Equal("blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias");

        var list = tower.Blocks;
        list.append(Linear(3, 3));
        list.extend(new[] { Linear(3, 3) });
        list.Count.Should().Be(4);
        var removed = list[1];
        list.RemoveAt(1);
        removed.Dispose();
        list.named_children().Select(c => c.name).Should().Equal("0", "1", "2");
        var inserted = Linear(3, 3);
        list.Insert(0, inserted);
        list.IndexOf(inserted).Should().Be(0);
        list.Contains(inserted).Should().BeTrue();
        tower.parameters().Should().HaveCount(8);
        list.Remove(inserted).Should().BeTrue();
        inserted.Dispose();
        list.Should().HaveCount(3);
        list.IsReadOnly.Should().BeFalse();
        var copy = new Linear[3];
        list.CopyTo(copy, 0);
        copy.Should().Equal(list);

        using var scope = NewDisposeScope();
        tower.call(ones(2, 3)).shape.Should().Equal(2, 3);
        ((IList<Linear>)list).Should().HaveCount(3);
    }

    [Fact]
    public void ModuleDictKeepsInsertionOrderAndRegistersByKey()
    {
        using var dict = ModuleDict(("encoder", (Module)Linear(4, 3)), ("act", ReLU()));
        dict.Add("decoder", Linear(3, 4));
        dict.keys().Should().Equal("encoder", "act", "decoder");
        dict.Count.Should().Be(3);
        dict["act"].Should().BeOfType<ReLU>();
        dict[2].Item1.Should().Be("decoder");
        dict.named_parameters().Select(p => p.name).Should().Equal("encoder.weight", "encoder.bias", "decoder.weight", "decoder.bias");
        dict.ContainsKey("act").Should().BeTrue();
        dict.TryGetValue("missing", out _).Should().BeFalse();

        var act = dict["act"];
        dict.Remove("act").Should().BeTrue();
        act.Dispose();
        dict.named_children().Select(c => c.name).Should().Equal("encoder", "decoder");
        dict["act"] = Sigmoid();
        dict.keys().Should().Equal("encoder", "decoder", "act");
        ((IDictionary<string, Module>)dict).Keys.Should().Equal("encoder", "decoder", "act");
        ((IEnumerable<(string, Module)>)dict).Select(e => e.Item1).Should().Equal("encoder", "decoder", "act");

        var dup = () => dict.Add("encoder", ReLU());
        dup.Should().Throw<ArgumentException>().Where(e => e.ParamName == "key").WithMessage("*'encoder' is already present*");
        var bad = () => dict.Add("a.b", ReLU());
        bad.Should().Throw<ArgumentException>().Where(e => e.ParamName == "key").WithMessage("*'a.b'*without '.'*");
        ((Action)(() => _ = dict["nope"])).Should().Throw<KeyNotFoundException>();
    }

    [Fact]
    public void TypedModuleDictAndListFactories()
    {
        using var dict = ModuleDict(("a", Linear(1, 1)), ("b", Linear(1, 2)));
        dict.Should().BeOfType<ModuleDict<Linear>>();
        dict.values().Select(l => l.out_features).Should().Equal(1, 2);
        using var list = ModuleList(Conv2d(1, 1, 1), Conv2d(1, 1, 1));
        list.Should().BeOfType<ModuleList<Conv2d>>();
        using var mixed = ModuleList(ReLU(), Linear(1, 1));
        mixed.Should().BeOfType<ModuleList<Module>>();
    }
}
