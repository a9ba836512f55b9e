using System.Collections.Generic;
using F = Efficient.Torch.torch.nn.functional;

namespace Efficient.Torch.Tests.Tensors;

/// <summary>dtype conversions, item/ToXxx/explicit casts and the channels-last memory format against PyTorch (Reference/ref_conversions.json).</summary>
public class DTypeAndLayoutTests
{
    private const string File = "ref_conversions.json";

    private static RefCase Case(string name) => Ref.Case(File, name);

    [Fact]
    public void FloatToOtherTypes()
    {
        using var scope = NewDisposeScope();
        var x = Case("inputs").T("x");
        Case("to_int64").Check(x.to_type(ScalarType.Int64), "out");
        Case("to_int64").Check(x.@long(), "out");
        Case("to_int64").Check(x.to(int64), "out");
        Case("to_int32").Check(x.@int(), "out");
        Case("to_bool").Check(x.@bool(), "out");
        Case("to_float64").Check(x.@double(), "out");
        Case("to_float64").Check(x.to_type(float64), "out");
        Case("half_roundtrip").Check((x / 3).half().@float(), "out", rtol: 0, atol: 0);
        Case("half_roundtrip").Check((x / 3).half(), "half", rtol: 0, atol: 0);
        Case("bfloat16_roundtrip").Check((x / 3).bfloat16().@float(), "out", rtol: 0, atol: 0);
        var f64 = Case("float64_to_float32");
        f64.Check(f64.T("x").@float(), "out", rtol: 0, atol: 0);
    }

    [Fact]
    public void IntegerToOtherTypes()
    {
        using var scope = NewDisposeScope();
        var i = Case("inputs");
        var (x, xi) = (i.T("x"), i.T("xi"));
        Case("int_to_float").Check(xi.@float(), "out");
        Case("int_to_float64").Check(xi.to_type(ScalarType.Float64), "out");
        Case("int_to_bool").Check(xi.@bool(), "out");
        Case("int_to_int16").Check(xi.@short(), "out");
        Case("type_as").Check(xi.type_as(x), "out");
    }

    [Fact]
    public void ConversionCopiesOnlyWhenNeededOrAsked()
    {
        using var scope = NewDisposeScope();
        var x = Case("inputs").T("x");
        var y = x.clone();
        var same = y.to_type(ScalarType.Float32);
        same.add_(1);
        y.allclose(same, 0, 0).Should().BeTrue("converting to the same dtype shares the storage");
        var copy = y.to_type(ScalarType.Float32, copy: true);
        copy.add_(1);
        y.allclose(copy, 0, 0).Should().BeFalse("copy: true always copies");
        y = x.clone();
        var converted = y.to_type(ScalarType.Float64, disposeAfter: true);
        y.IsInvalid.Should().BeTrue("disposeAfter disposes the source");
        Case("to_float64").Check(converted, "out");
    }

    [Fact]
    public void ItemAndScalarConversions()
    {
        using var scope = NewDisposeScope();
        var i = Case("inputs");
        var (x, xi) = (i.T("x"), i.T("xi"));
        var c = Case("items");
        var f = x[1, 2];
        c.Check(f, "float32");
        f.item<float>().Should().Be((float)c.D("float32_value"));
        f.ToSingle().Should().Be((float)c.D("float32_value"));
        ((float)f).Should().Be((float)c.D("float32_value"));
        f.ToDouble().Should().Be((double)(float)c.D("float32_value"));
        x.@double()[0, 1].item<double>().Should().Be(Ref.ReadDouble(c["float64"].GetProperty("data")[0]));
        c.Check(xi[1, 1], "int64");
        xi[1, 1].item<long>().Should().Be(c.L("int64_value"));
        ((long)xi[1, 1]).Should().Be(c.L("int64_value"));
        xi[1, 1].ToInt32().Should().Be((int)c.L("int64_value"));
        xi.@int()[0, 2].item<int>().Should().Be((int)Ref.ReadDouble(c["int32"].GetProperty("data")[0]));
        (x > 0)[1, 0].item<bool>().Should().Be(c["bool"].GetProperty("data")[0].GetBoolean());
        ((bool)(x > 0)[1, 0]).Should().Be(c["bool"].GetProperty("data")[0].GetBoolean());
        xi[1, 1].ToSingle().Should().Be(c.L("int64_value"));

        // item<T> must match the dtype exactly (as in TorchSharp); ToXxx() converts.
        Action wrongType = () => xi[1, 1].item<float>();
        wrongType.Should().Throw<ArgumentException>();
        Action notScalar = () => x.item<float>();
        notScalar.Should().Throw<Exception>();
        x.tolist().Should().BeOfType<float[,]>().Which[1, 2].Should().Be((float)c.D("float32_value"));
    }

    [Fact]
    public void ChannelsLastMemoryFormat()
    {
        using var scope = NewDisposeScope();
        var c = Case("channels_last");
        var img = c.T("img");
        img.is_contiguous(MemoryFormat.ChannelsLast).Should().BeFalse();
        var cl = img.contiguous(MemoryFormat.ChannelsLast);
        cl.is_contiguous(MemoryFormat.ChannelsLast).Should().Be(c.B("is_cl"));
        cl.is_contiguous().Should().Be(c.B("is_contiguous"));
        cl.stride().Should().Equal(c.Longs("stride"));
        cl.shape.Should().Equal(img.shape);
        c.Check(cl, "img", rtol: 0, atol: 0);

        var conv = F.conv2d(cl, c.T("w"), padding: new long[] { 1 });
        c.Check(conv, "conv");
        conv.stride().Should().Equal(c.Longs("conv_stride"));
        conv.is_contiguous(MemoryFormat.ChannelsLast).Should().Be(c.B("conv_is_cl"));
        c.Check(F.conv2d(img, c.T("w"), padding: new long[] { 1 }), "conv");

        cl.contiguous().stride().Should().Equal(c.Longs("back_stride"));
        img.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).is_contiguous(MemoryFormat.ChannelsLast).Should().Be(c.B("permuted_is_cl"));
    }

    [Fact]
    public void EveryReferenceCaseIsExercised()
    {
        // Keep in step with the tests above when cases are added to generate_reference.py.
        var covered = new HashSet<string>
        {
            "inputs", "to_int64", "to_int32", "to_bool", "to_float64", "int_to_float",
            "int_to_float64", "int_to_bool", "int_to_int16", "half_roundtrip", "bfloat16_roundtrip", "type_as",
            "float64_to_float32", "items", "channels_last",
        };
        Ref.File(File).EnumerateObject().Select(p => p.Name).Where(n => !covered.Contains(n)).Should().BeEmpty();
    }
}
