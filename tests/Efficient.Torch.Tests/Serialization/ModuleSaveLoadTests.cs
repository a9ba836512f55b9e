using System.Collections.Generic;
using System.IO;
using Efficient.Torch.Modules;

namespace Efficient.Torch.Tests.Serialization;

/// <summary>fc (3 → 4) with a persistent buffer "scale" and a non-persistent one.</summary>
internal sealed class SmallNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;
    private readonly Tensor scale;

    public SmallNet(long outFeatures = 4, ScalarType bufferType = ScalarType.Float32) : base(nameof(SmallNet))
    {
        fc = nn.Linear(3, outFeatures);
        scale = ones(new long[] { outFeatures }, bufferType);
        scale.DetachFromDisposeScope();
        RegisterComponents();
        register_buffer("cache", zeros(1).DetachFromDisposeScope(), persistent: false);
    }

    public override Tensor forward(Tensor input) => fc.call(input) * scale;
}

/// <summary>SmallNet plus an extra parameter.</summary>
internal sealed class BiggerNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;
    private readonly Tensor scale;
    private readonly Parameter extra;

    public BiggerNet() : base(nameof(BiggerNet))
    {
        fc = nn.Linear(3, 4);
        scale = ones(4).DetachFromDisposeScope();
        extra = new Parameter(zeros(2).DetachFromDisposeScope());
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => fc.call(input) * scale;
}

public class ModuleSaveLoadTests
{
    private static Dictionary<string, float[]> Snapshot(nn.Module m) =>
        m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32).data<float>().ToArray());

    private static void Randomize(nn.Module m)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
            foreach (var (_, t) in m.state_dict())
                t.copy_(randn(t.shape).to_type(t.dtype));
    }

    [Fact]
    public void ASavedModuleLoadsIntoAFreshOne()
    {
        using var folder = new TempFolder();
        var path = folder.File("net.etts");
        using var a = new SmallNet();
        Randomize(a);
        a.save(path).Should().BeSameAs(a);

        using var b = new SmallNet();
        var loaded = new Dictionary<string, bool>();
        b.load(path, loadedParameters: loaded).Should().BeSameAs(b);
        Snapshot(b).Should().BeEquivalentTo(Snapshot(a));
        loaded.Should().BeEquivalentTo(new Dictionary<string, bool> { ["fc.weight"] = true, ["fc.bias"] = true, ["scale"] = true });
        b.get_parameter("fc.weight")!.requires_grad.Should().BeTrue("loading copies values into the existing parameters");
    }

    [Fact]
    public void StreamAndBinaryWriterOverloadsRoundTrip()
    {
        using var a = new SmallNet();
        Randomize(a);
        var memory = new MemoryStream();
        a.save(memory);
        var bytes = memory.ToArray();

        using var b = new SmallNet();
        b.load(new MemoryStream(bytes));
        Snapshot(b).Should().BeEquivalentTo(Snapshot(a));

        // save(BinaryWriter) and save_state_dict write the same record and leave the writer open.
        using var c = new MemoryStream();
        using (var writer = new BinaryWriter(c, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            a.save(writer);
            nn.Module.save_state_dict(writer, a.state_dict(), skip: new[] { "scale" });
        }
        c.Position = 0;
        using var reader = new BinaryReader(c);
        using var d = new SmallNet();
        d.load(reader);
        Snapshot(d).Should().BeEquivalentTo(Snapshot(a));
        using var e = new SmallNet();
        var loaded = new Dictionary<string, bool>();
        e.load(reader, strict: false, loadedParameters: loaded);
        loaded.Keys.Should().BeEquivalentTo("fc.weight", "fc.bias");
    }

    [Fact]
    public void SkipLeavesEntriesOutOfTheFileAndUntouchedOnLoad()
    {
        using var folder = new TempFolder();
        var path = folder.File("net.etts");
        using var a = new SmallNet();
        Randomize(a);
        a.save(path, skip: new[] { "scale" });
        using var scope = NewDisposeScope();
        TensorFile.Load(path).Keys.Should().BeEquivalentTo("fc.weight", "fc.bias");

        using var b = new SmallNet();
        var before = Snapshot(b);
        var strictAct = () => b.load(path);
        strictAct.Should().Throw<InvalidOperationException>().WithMessage("*missing from the file: scale*");
        b.load(path, skip: new[] { "scale" });
        Snapshot(b)["scale"].Should().Equal(before["scale"]);
        Snapshot(b)["fc.weight"].Should().Equal(Snapshot(a)["fc.weight"]);

        using var c = new SmallNet();
        var full = folder.File("full.etts");
        a.save(full);
        var beforeC = Snapshot(c);
        var loaded = new Dictionary<string, bool>();
        c.load(full, skip: new[] { "fc.bias" }, loadedParameters: loaded);
        Snapshot(c)["fc.bias"].Should().Equal(beforeC["fc.bias"]);
        Snapshot(c)["fc.weight"].Should().Equal(Snapshot(a)["fc.weight"]);
        loaded["fc.bias"].Should().BeFalse();
        loaded["fc.weight"].Should().BeTrue();
    }

    [Fact]
    public void StrictLoadListsMissingAndUnexpectedNamesAndChangesNothing()
    {
        using var folder = new TempFolder();
        var path = folder.File("bigger.etts");
        using (var big = new BiggerNet()) big.save(path);

        using var small = new SmallNet();
        var before = Snapshot(small);
        var act = () => small.load(path);
        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"Cannot load '{path}' into SmallNet (the module was left unchanged): not in the module: extra.");
        Snapshot(small).Should().BeEquivalentTo(before);

        var loaded = new Dictionary<string, bool>();
        small.load(path, strict: false, loadedParameters: loaded);
        loaded.Should().BeEquivalentTo(new Dictionary<string, bool> { ["fc.weight"] = true, ["fc.bias"] = true, ["scale"] = true, ["extra"] = false });

        using var big2 = new BiggerNet();
        var path2 = folder.File("small.etts");
        small.save(path2);
        var missing = () => big2.load(path2);
        missing.Should().Throw<InvalidOperationException>().WithMessage("*missing from the file: extra*");
    }

    [Fact]
    public void ShapeAndDtypeMismatchesAreListedEvenWhenNotStrictAndChangeNothing()
    {
        using var folder = new TempFolder();
        var path = folder.File("wide.etts");
        using (var wide = new SmallNet(outFeatures: 5)) wide.save(path);

        using var net = new SmallNet();
        var before = Snapshot(net);
        var act = () => net.load(path, strict: false);
        act.Should().Throw<InvalidOperationException>()
            .WithMessage("*'fc.weight' has shape [5, 3] in the file but [4, 3] in the module; 'fc.bias' has shape [5] in the file but [4] in the module; 'scale' has shape [5] in the file but [4] in the module.");
        Snapshot(net).Should().BeEquivalentTo(before);

        var typed = folder.File("typed.etts");
        using (var doubleBuffer = new SmallNet(bufferType: ScalarType.Float64)) doubleBuffer.save(typed);
        var dtypeAct = () => net.load(typed);
        dtypeAct.Should().Throw<InvalidOperationException>().WithMessage("*'scale' is Float64 in the file but Float32 in the module*");
        Snapshot(net).Should().BeEquivalentTo(before);
    }

    [Fact]
    public void ACorruptedFileLeavesTheModuleUnchanged()
    {
        using var folder = new TempFolder();
        var path = folder.File("net.etts");
        using (var a = new SmallNet()) a.save(path);
        var bytes = File.ReadAllBytes(path);
        bytes[^30] ^= 1;
        File.WriteAllBytes(path, bytes);

        using var net = new SmallNet();
        var before = Snapshot(net);
        var act = () => net.load(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is corrupted: *");
        Snapshot(net).Should().BeEquivalentTo(before);
    }

    [Fact]
    public void BFloat16ModulesRoundTrip()
    {
        using var folder = new TempFolder();
        var path = folder.File("bf16.etts");
        using var a = new SmallNet().bfloat16();
        Randomize(a);
        a.save(path);
        using var b = new SmallNet().bfloat16();
        b.load(path);
        Snapshot(b).Should().BeEquivalentTo(Snapshot(a));
        b.get_parameter("fc.weight")!.dtype.Should().Be(ScalarType.BFloat16);
    }
}
