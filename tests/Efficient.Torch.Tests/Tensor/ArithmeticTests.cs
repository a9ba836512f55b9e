using System.Collections.Generic;

namespace Efficient.Torch.Tests.Tensors;

/// <summary>
/// add/sub/mul/div (alpha, rounding modes, type promotion), scalar and reversed-scalar operators,
/// pow, remainder and the in-place ops, against PyTorch (Reference/ref_arithmetic.json).
/// </summary>
public class ArithmeticTests
{
    private const string File = "ref_arithmetic.json";

    /// <summary>The stored inputs: a, b (no zeros, mixed signs), row (broadcast), ai, bi (int64, bi non-zero), pos (positive).</summary>
    public sealed record In(Tensor a, Tensor b, Tensor row, Tensor ai, Tensor bi, Tensor pos);

    private static In Inputs()
    {
        var c = Ref.Case(File, "inputs");
        return new In(c.T("a"), c.T("b"), c.T("row"), c.T("ai"), c.T("bi"), c.T("pos"));
    }

    private static readonly Dictionary<string, Func<In, Tensor>> OutOfPlace = new()
    {
        ["add"] = x => x.a + x.b,
        ["add_alpha"] = x => x.a.add(x.b, 2.5),
        ["add_scalar"] = x => x.a + 2.0,
        ["add_scalar_alpha"] = x => torch.add(x.a, 2, 3),
        ["add_broadcast"] = x => x.a + x.row,
        ["add_int_tensor_float_scalar"] = x => x.ai + 2.5,
        ["add_int_int"] = x => x.ai + x.bi,
        ["add_int_float_tensors"] = x => x.ai + x.a,
        ["sub"] = x => x.a - x.b,
        ["sub_alpha"] = x => x.a.sub(x.b, 0.5),
        ["sub_scalar"] = x => x.a - 1.5,
        ["rsub_scalar"] = x => 2 - x.a,
        ["rsub_double_int_tensor"] = x => 2.5 - x.ai,
        ["rsub_int_int_tensor"] = x => 3 - x.ai,
        ["mul"] = x => x.a * x.b,
        ["mul_scalar"] = x => x.a * 2.5,
        ["rmul_int_tensor"] = x => 3 * x.ai,
        ["mul_int_tensor_float_scalar"] = x => x.ai * 0.5,
        ["div"] = x => x.a / x.b,
        ["div_trunc"] = x => x.a.div(x.b, RoundingMode.trunc),
        ["div_floor"] = x => div(x.a, x.b, RoundingMode.floor),
        ["div_int_true"] = x => x.ai / x.bi,
        ["div_int_trunc"] = x => x.ai.div(x.bi, RoundingMode.trunc),
        ["div_int_floor"] = x => x.ai.div(x.bi, rounding_mode: RoundingMode.floor),
        ["div_scalar"] = x => x.a / 2,
        ["div_scalar_floor"] = x => x.a.div(0.75, RoundingMode.floor),
        ["rdiv_double"] = x => 1.0 / x.b,
        ["rdiv_int_int_tensor"] = x => 6 / x.bi,
        ["rdiv_double_int_tensor"] = x => 1.0 / x.bi,
        ["neg"] = x => -x.a,
        ["pow_scalar"] = x => x.a.pow(2),
        ["pow_fractional"] = x => pow(x.pos, 0.5),
        ["pow_tensor"] = x => x.pos.pow(x.a),
        ["pow_int"] = x => x.ai.pow(2),
        ["remainder"] = x => x.a % x.b,
        ["remainder_scalar"] = x => x.a % 1.5,
        ["remainder_int"] = x => x.ai % x.bi,
        ["remainder_int_scalar"] = x => x.ai % 3,
        ["remainder_negative_scalar"] = x => x.a.remainder(-0.7),
    };

    /// <summary>In-place ops: each returns the tensor it was called on (checked).</summary>
    private static readonly Dictionary<string, (Func<In, Tensor> Target, Func<Tensor, In, Tensor> Op)> InPlace = new()
    {
        ["add_"] = (x => x.a.clone(), (t, x) => t.add_(x.b)),
        ["add__alpha"] = (x => x.a.clone(), (t, x) => t.add_(x.b, 0.5)),
        ["add__scalar"] = (x => x.a.clone(), (t, x) => t.add_(1.25)),
        ["add__scalar_alpha"] = (x => x.a.clone(), (t, x) => t.add_(1, 2)),
        ["sub_"] = (x => x.a.clone(), (t, x) => t.sub_(x.b)),
        ["sub__alpha"] = (x => x.a.clone(), (t, x) => t.sub_(x.b, 3)),
        ["sub__scalar"] = (x => x.a.clone(), (t, x) => t.sub_(0.5)),
        ["mul_"] = (x => x.a.clone(), (t, x) => t.mul_(x.b)),
        ["mul__scalar"] = (x => x.a.clone(), (t, x) => t.mul_(-2)),
        ["div_"] = (x => x.a.clone(), (t, x) => t.div_(x.b)),
        ["div__trunc"] = (x => x.a.clone(), (t, x) => t.div_(x.b, RoundingMode.trunc)),
        ["div__floor_scalar"] = (x => x.a.clone(), (t, x) => t.div_(0.3, RoundingMode.floor)),
        ["pow_"] = (x => x.a.clone(), (t, x) => t.pow_(3)),
        ["copy_"] = (x => x.a.clone(), (t, x) => t.copy_(x.b)),
        ["copy__broadcast"] = (x => x.a.clone(), (t, x) => t.copy_(x.row)),
        ["copy__from_int"] = (x => x.a.clone(), (t, x) => t.copy_(x.ai)),
        ["zero_"] = (x => x.a.clone(), (t, x) => t.zero_()),
        ["fill_"] = (x => x.a.clone(), (t, x) => t.fill_(4.25)),
        ["fill__int"] = (x => x.ai.clone(), (t, x) => t.fill_(-7)),
        ["lerp__scalar"] = (x => x.a.clone(), (t, x) => t.lerp_(x.b, 0.3)),
        ["clamp_"] = (x => x.a.clone(), (t, x) => t.clamp_(-0.5, 0.5)),
        ["clamp__min"] = (x => x.a.clone(), (t, x) => t.clamp_(min: 0.1)),
        ["clamp__max"] = (x => x.a.clone(), (t, x) => t.clamp_(max: -0.1)),
        ["clamp__int"] = (x => x.ai.clone(), (t, x) => t.clamp_(-3, 4)),
        ["neg_"] = (x => x.a.clone(), (t, x) => t.neg_()),
        ["abs_"] = (x => x.a.clone(), (t, x) => t.abs_()),
        ["exp_"] = (x => x.a.clone(), (t, x) => t.exp_()),
        ["log_"] = (x => x.pos.clone(), (t, x) => t.log_()),
        ["sqrt_"] = (x => x.pos.clone(), (t, x) => t.sqrt_()),
        ["relu_"] = (x => x.a.clone(), (t, x) => t.relu_()),
        ["sigmoid_"] = (x => x.a.clone(), (t, x) => t.sigmoid_()),
        ["tanh_"] = (x => x.a.clone(), (t, x) => t.tanh_()),
        ["chain"] = (x => x.a.clone(), (t, x) => t.mul_(2).add_(x.b, -1).div_(3).clamp_(-1, 1)),
    };

    public static TheoryData<string> OutOfPlaceNames => Names(OutOfPlace.Keys);

    public static TheoryData<string> InPlaceNames => Names(InPlace.Keys);

    private static TheoryData<string> Names(IEnumerable<string> keys)
    {
        var data = new TheoryData<string>();
        foreach (var k in keys) data.Add(k);
        return data;
    }

    [Theory]
    [MemberData(nameof(OutOfPlaceNames))]
    public void OutOfPlaceOpMatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var x = Inputs();
        Ref.Case(File, name).Check(OutOfPlace[name](x), "out");
    }

    [Theory]
    [MemberData(nameof(InPlaceNames))]
    public void InPlaceOpMatchesPyTorchAndReturnsItsTarget(string name)
    {
        using var scope = NewDisposeScope();
        var x = Inputs();
        var (target, op) = InPlace[name];
        var t = target(x);
        var result = op(t, x);
        result.Should().BeSameAs(t, "an in-place op returns the tensor it modified");
        Ref.Case(File, name).Check(t, "out");
    }

    [Fact]
    public void InPlaceOpsLeaveOtherTensorsAlone()
    {
        using var scope = NewDisposeScope();
        var x = Inputs();
        var before = x.b.clone();
        x.a.clone().add_(x.b).mul_(x.b).copy_(x.b).zero_();
        x.b.allclose(before, 0, 0).Should().BeTrue();
    }

    [Fact]
    public void LerpWithTensorWeight()
    {
        using var scope = NewDisposeScope();
        var x = Inputs();
        var c = Ref.Case(File, "lerp_");
        var w = c.T("weight");
        var t = x.a.clone();
        t.lerp_(x.b, w).Should().BeSameAs(t);
        c.Check(t, "out");
        Ref.Case(File, "lerp").Check(lerp(x.a, x.b, w), "out");
        Ref.Case(File, "lerp").Check(x.a.lerp(x.b, w), "out");
    }

    [Fact]
    public void ClampInPlaceWithTensorBounds()
    {
        using var scope = NewDisposeScope();
        var x = Inputs();
        var c = Ref.Case(File, "clamp__tensor");
        var t = x.a.clone();
        t.clamp_(c.T("lo"), c.T("hi")).Should().BeSameAs(t);
        c.Check(t, "out");
    }

    [Fact]
    public void AddcmulAndAddcdiv()
    {
        using var scope = NewDisposeScope();
        var x = Inputs();
        var c = Ref.Case(File, "addcmul_");
        var (t1, t2) = (c.T("t1"), c.T("t2"));
        c.Check(x.a.clone().addcmul_(t1, t2, 0.5), "out");
        Ref.Case(File, "addcdiv_").Check(x.a.clone().addcdiv_(t1, t2, 2), "out");
        Ref.Case(File, "addcdiv__default").Check(x.a.clone().addcdiv_(t1, t2), "out");
    }

    [Fact]
    public void EveryReferenceCaseIsExercised()
    {
        var covered = new HashSet<string>(OutOfPlace.Keys.Concat(InPlace.Keys))
        {
            "inputs", "lerp_", "lerp", "clamp__tensor", "addcmul_", "addcdiv_", "addcdiv__default",
        };
        Ref.File(File).EnumerateObject().Select(p => p.Name).Where(n => !covered.Contains(n)).Should().BeEmpty();
    }
}
