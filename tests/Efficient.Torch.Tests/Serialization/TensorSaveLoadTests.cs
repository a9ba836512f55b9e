using System.Collections.Generic;
using System.IO;

namespace Efficient.Torch.Tests.Serialization;

public class TensorSaveLoadTests
{
    public static IEnumerable<object[]> AllDtypes() => new[]
    {
        ScalarType.Byte, ScalarType.Int8, ScalarType.Int16, ScalarType.Int32, ScalarType.Int64,
        ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float32, ScalarType.Float64,
        ScalarType.Bool, ScalarType.ComplexFloat32, ScalarType.ComplexFloat64,
    }.Select(d => new object[] { d });

    private static Tensor Sample(ScalarType dtype, params long[] shape)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        return dtype switch
        {
            ScalarType.Bool => (arange(n, ScalarType.Int64).remainder(3) == 0).reshape(shape),
            ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64
                => (randn(shape, ScalarType.Float64) * 100).to_type(dtype),
            _ => (arange(n, ScalarType.Int64) * 37 - 50).reshape(shape).to_type(dtype),
        };
    }

    [Theory]
    [MemberData(nameof(AllDtypes))]
    public void EveryDtypeRoundTrips(ScalarType dtype)
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var original = Sample(dtype, 3, 5);
        var path = folder.File("t.etts");
        save(original, path);
        var loaded = load(path);
        loaded.dtype.Should().Be(dtype);
        loaded.shape.Should().Equal(3, 5);
        loaded.equal(original).Should().BeTrue();
        scope.Contains(loaded).Should().BeTrue("a loaded tensor belongs to the current dispose scope");
    }

    [Fact]
    public void Int64ExtremesAndBFloat16BitsSurvive()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        save(tensor(new long[] { long.MinValue, -1, 0, long.MaxValue }), folder.File("l"));
        load(folder.File("l")).data<long>().ToArray().Should().Equal(long.MinValue, -1, 0, long.MaxValue);

        var bf = tensor(new float[] { 1.5f, -2.0f, 0.0078125f, 3.0e38f }).to_type(ScalarType.BFloat16);
        save(bf, folder.File("bf"));
        var back = load(folder.File("bf"));
        back.dtype.Should().Be(ScalarType.BFloat16);
        back.to_type(ScalarType.Float32).data<float>().ToArray().Should().Equal(bf.to_type(ScalarType.Float32).data<float>().ToArray());
    }

    [Theory]
    [MemberData(nameof(AllDtypes))]
    public void ZeroDimensionalAndEmptyTensorsRoundTrip(ScalarType dtype)
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var scalar = Sample(dtype, 1).reshape(Array.Empty<long>());
        save(scalar, folder.File("scalar"));
        var s = load(folder.File("scalar"));
        s.Dimensions.Should().Be(0);
        s.dtype.Should().Be(dtype);
        s.equal(scalar).Should().BeTrue();

        var emptyTensor = zeros(new long[] { 0, 4 }, dtype);
        save(emptyTensor, folder.File("empty"));
        var e = load(folder.File("empty"));
        e.shape.Should().Equal(0, 4);
        e.dtype.Should().Be(dtype);
    }

    [Fact]
    public void NonContiguousTensorsAreSavedByValue()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var t = arange(12, ScalarType.Float32).reshape(3, 4).t();
        t.is_contiguous().Should().BeFalse();
        save(t, folder.File("t"));
        var loaded = load(folder.File("t"));
        loaded.shape.Should().Equal(4, 3);
        loaded.is_contiguous().Should().BeTrue();
        loaded.equal(t).Should().BeTrue();

        var expanded = tensor(new float[] { 1, 2 }).expand(3, 2);
        save(expanded, folder.File("e"));
        load(folder.File("e")).data<float>().ToArray().Should().Equal(1, 2, 1, 2, 1, 2);

        var sliced = arange(10, ScalarType.Int64).narrow(0, 3, 4);
        save(sliced, folder.File("s"));
        load(folder.File("s")).data<long>().ToArray().Should().Equal(3, 4, 5, 6);
    }

    [Fact]
    public void RequiresGradIsKept()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        save(ones(2).requires_grad_(), folder.File("g"));
        save(ones(2), folder.File("n"));
        load(folder.File("g")).requires_grad.Should().BeTrue();
        load(folder.File("n")).requires_grad.Should().BeFalse();
    }

    [Fact]
    public void SavingReplacesTheFileAndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var path = folder.File("t.etts");
        save(ones(3), path);
        save(zeros(5), path);
        load(path).shape.Should().Equal(5);
        folder.Files().Should().Equal("t.etts");
    }

    [Fact]
    public void TorchLoadOfAStateDictionaryFileSaysWhatToUse()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var path = folder.File("sd");
        TensorFile.Save(new Dictionary<string, Tensor> { ["a"] = ones(1) }, path);
        var act = () => load(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' holds a state dictionary of 1 named tensors, not a single tensor: load it with Module.load*");
    }

    [Fact]
    public void TensorFileRoundTripsNamedTensorsInOrder()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var path = folder.File("many");
        var tensors = new Dictionary<string, Tensor> { ["w"] = randn(2, 3), ["b"] = zeros(3, ScalarType.BFloat16), ["step"] = tensor(7L), ["ünï"] = ones(1) };
        TensorFile.Save(tensors, path);
        var loaded = TensorFile.Load(path);
        loaded.Keys.Should().Equal("w", "b", "step", "ünï");
        foreach (var (k, v) in tensors) loaded[k].equal(v).Should().BeTrue(k);
    }

    [Fact]
    public void RecordsCanFollowEachOtherInOneStream()
    {
        using var scope = NewDisposeScope();
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            TensorFile.Write(writer, new Dictionary<string, Tensor> { ["a"] = ones(2) });
            writer.Write(12345);
            TensorFile.Write(writer, new Dictionary<string, Tensor> { ["b"] = zeros(3) });
        }
        memory.Position = 0;
        using var reader = new BinaryReader(memory);
        TensorFile.Read(reader)["a"].shape.Should().Equal(2);
        reader.ReadInt32().Should().Be(12345);
        TensorFile.Read(reader)["b"].shape.Should().Equal(3);
        memory.Position.Should().Be(memory.Length);
    }
}
