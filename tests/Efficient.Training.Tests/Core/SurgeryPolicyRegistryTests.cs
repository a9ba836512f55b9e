using System.Collections.Generic;
using TorchSharp.Modules;

namespace Efficient.Training.Tests.Core;

public class SurgeryPolicyRegistryTests
{
    private interface IMarked
    {
    }

    private class Base : nn.Module<Tensor, Tensor>
    {
        public Base(string name = nameof(Base)) : base(name) { }

        public override Tensor forward(Tensor input) => input;
    }

    private sealed class Derived : Base, IMarked
    {
        public Derived() : base(nameof(Derived)) { }
    }

    private sealed class Holder : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> a;
        private readonly nn.Module<Tensor, Tensor> b;
        private readonly nn.Module<Tensor, Tensor> c;

        public Holder(nn.Module<Tensor, Tensor> first, nn.Module<Tensor, Tensor> second, nn.Module<Tensor, Tensor> third) : base(nameof(Holder))
        {
            a = first;
            b = second;
            c = third;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => c.call(b.call(a.call(input)));
    }

    [Fact]
    public void TheExactTypeWinsOverABaseClassAndABaseClassOverAnInterface()
    {
        var seen = new List<string>();
        var registry = new SurgeryPolicyRegistry<int>();
        registry.Register<IMarked>((m, c) => { seen.Add($"interface {c.Path}"); return null; });
        registry.Register<Base>((m, c) => { seen.Add($"base {c.Path}"); return null; });
        using var model = new Holder(new Base(), new Derived(), nn.Identity());
        registry.Apply(new ModelSurgery(model), 0).Should().Be(0, "policies that return null change nothing");
        seen.Should().Equal("base a", "base b");

        seen.Clear();
        registry.Register<Derived>((m, c) => { seen.Add($"derived {c.Path}"); return null; });
        registry.Apply(new ModelSurgery(model), 0);
        seen.Should().Equal("base a", "derived b");

        registry.Remove<Base>().Should().BeTrue();
        registry.Remove<Base>().Should().BeFalse();
        registry.Remove<Derived>().Should().BeTrue();
        seen.Clear();
        registry.Apply(new ModelSurgery(model), 0);
        seen.Should().Equal("interface b");
        registry.ModuleTypes.Should().Equal(typeof(IMarked));
        registry.HasPolicyFor(typeof(Derived)).Should().BeTrue();
        registry.HasPolicyFor(typeof(Base)).Should().BeFalse();
    }

    [Fact]
    public void ReplacementsAndInPlaceChangesAreCountedWithTheirIndexAndOptions()
    {
        var indices = new List<(string path, int index, string options)>();
        var registry = new SurgeryPolicyRegistry<string>();
        registry.Register<Base>((m, c) =>
        {
            indices.Add((c.Path, c.Index, c.Options));
            return c.Path == "a" ? nn.Identity() : m;   // a: replaced; b: changed in place
        });
        using var model = new Holder(new Base(), new Derived(), nn.Identity());
        var surgery = new ModelSurgery(model);
        registry.Apply(surgery, "opts").Should().Be(2);
        indices.Should().Equal(("a", 0, "opts"), ("b", 1, "opts"));
        model.named_children().Single(c => c.name == "a").module.Should().BeOfType<Identity>();
        surgery.Replacements.Should().ContainSingle();
    }

    [Fact]
    public void ModulesInsideConvertedOnesAreLeftAlone()
    {
        var registry = new SurgeryPolicyRegistry<int>();
        registry.Register<Base>((m, c) => new Holder(m, nn.Identity(), nn.Identity()));
        registry.MarkConverted<Holder>();
        using var model = new Holder(new Base(), nn.Identity(), nn.Identity());
        // The root is a converted Holder: nothing inside it is visited.
        registry.Apply(new ModelSurgery(model), 0).Should().Be(0);
        using var outer = nn.Sequential(("x", new Base()), ("y", new Base()));
        registry.Apply(new ModelSurgery(outer), 0).Should().Be(2);
        registry.Apply(new ModelSurgery(outer), 0).Should().Be(0, "the wrapped modules sit inside converted Holders");
    }

    [Fact]
    public void ARootReplacementIsRefusedWithItsReason()
    {
        var registry = new SurgeryPolicyRegistry<int>();
        registry.Register<Base>((m, c) => nn.Identity());
        using var model = new Base();
        var act = () => registry.Apply(new ModelSurgery(model), 0);
        act.Should().Throw<InvalidOperationException>().WithMessage("A surgery policy for Base returned a replacement for the root module; the root can only be changed in place (return the module itself).");
    }

    [Fact]
    public void TheContextNamesChildPaths()
    {
        string? child = null, rootChild = null;
        var registry = new SurgeryPolicyRegistry<int>();
        registry.Register<Holder>((m, c) => { rootChild = c.Child("a"); return null; });
        registry.Register<Base>((m, c) => { child ??= c.Child("inner"); return null; });
        using var model = new Holder(new Base(), nn.Identity(), nn.Identity());
        registry.Apply(new ModelSurgery(model), 0);
        rootChild.Should().Be("a");
        child.Should().Be("a.inner");
    }
}
