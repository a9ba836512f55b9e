using System.Collections.Generic;

namespace Efficient.Torch.Tests.Tensors;

/// <summary>
/// Element-wise math, comparisons, logical/bitwise ops, matmul/bmm/einsum and softmax against
/// PyTorch (Reference/ref_math.json).
/// </summary>
public class MathTests
{
    private const string File = "ref_math.json";

    private static RefCase Case(string name) => Ref.Case(File, name);

    /// <summary>x has mixed signs (and an exact 0, -2.5, 1.5); p is positive.</summary>
    private static readonly Dictionary<string, Func<Tensor, Tensor, Tensor>> Unary = new()
    {
        ["exp"] = (x, p) => x.exp(),
        ["log"] = (x, p) => log(p),
        ["log1p"] = (x, p) => p.log1p(),
        ["expm1"] = (x, p) => x.expm1(),
        ["sqrt"] = (x, p) => sqrt(p),
        ["rsqrt"] = (x, p) => p.rsqrt(),
        ["square"] = (x, p) => square(x),
        ["abs"] = (x, p) => abs(x),
        ["neg"] = (x, p) => x.neg(),
        ["sin"] = (x, p) => sin(x),
        ["cos"] = (x, p) => x.cos(),
        ["tan"] = (x, p) => x.tan(),
        ["tanh"] = (x, p) => tanh(x),
        ["sigmoid"] = (x, p) => sigmoid(x),
        ["relu"] = (x, p) => x.relu(),
        ["sign"] = (x, p) => x.sign(),
        ["floor"] = (x, p) => x.floor(),
        ["ceil"] = (x, p) => x.ceil(),
        ["trunc"] = (x, p) => x.trunc(),
        ["round"] = (x, p) => x.round(),
        ["round2"] = (x, p) => (x * 10).round(-1),
        ["reciprocal"] = (x, p) => p.reciprocal(),
        ["erf"] = (x, p) => x.erf(),
    };

    public static TheoryData<string> UnaryNames
    {
        get
        {
            var d = new TheoryData<string>();
            foreach (var k in Unary.Keys) d.Add(k);
            return d;
        }
    }

    [Theory]
    [MemberData(nameof(UnaryNames))]
    public void UnaryOpMatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var inputs = Case("inputs");
        Case("unary." + name).Check(Unary[name](inputs.T("x"), inputs.T("p")), "out");
    }

    [Fact]
    public void BinaryElementwiseOps()
    {
        using var scope = NewDisposeScope();
        var x = Case("inputs").T("x");
        var y = Case("binary_inputs").T("y");
        Case("maximum").Check(maximum(x, y), "out");
        Case("maximum").Check(x.max(y), "out");
        Case("minimum").Check(x.minimum(y), "out");
        Case("minimum").Check(x.min(y), "out");
        Case("atan2").Check(x.atan2(y), "out");
    }

    [Fact]
    public void WhereAndClamp()
    {
        using var scope = NewDisposeScope();
        var x = Case("inputs").T("x");
        var y = Case("binary_inputs").T("y");
        var w = Case("where");
        var cond = w.T("cond");
        w.Check(where(cond, x, y), "out");
        w.Check(x.where(cond, y), "out");
        w.Check(where(x > y, x, y), "out");
        Case("where_scalar_like").Check(where(x > 0, x, tensor(0.0f)), "out");
        Case("clamp").Check(x.clamp(-1, 1), "out");
        Case("clamp").Check(clamp(x, -1, 1), "out");
        Case("clamp_min").Check(x.clamp(min: 0.25), "out");
        Case("clamp_tensor").Check(x.clamp(min: y), "out");
    }

    [Fact]
    public void NonFiniteValues()
    {
        using var scope = NewDisposeScope();
        var c = Case("special");
        var s = c.T("x");
        c.Check(s.isnan(), "isnan");
        c.Check(isnan(s), "isnan");
        c.Check(s.isinf(), "isinf");
        c.Check(isfinite(s), "isfinite");
        c.Check(s.nan_to_num(), "nan_to_num");
        c.Check(s.nan_to_num(nan: 1.0, posinf: 9.0, neginf: -9.0), "nan_to_num_args");
    }

    [Theory]
    [InlineData("eq")]
    [InlineData("ne")]
    [InlineData("lt")]
    [InlineData("le")]
    [InlineData("gt")]
    [InlineData("ge")]
    public void ComparisonMethodsAndOperators(string op)
    {
        using var scope = NewDisposeScope();
        var x = Case("inputs").T("x");
        var y = Case("binary_inputs").T("y");
        var c = Case("cmp." + op);
        var (method, methodScalar, oper, operScalar, reversedScalar) = op switch
        {
            "eq" => (x.eq(y), x.eq(1.5), x == y, x == 1.5, 1.5 == x),
            "ne" => (x.ne(y), x.ne(1.5), x != y, x != 1.5, 1.5 != x),
            "lt" => (x.lt(y), x.lt(1.5), x < y, x < 1.5, 1.5 > x),
            "le" => (x.le(y), x.le(1.5), x <= y, x <= 1.5, 1.5 >= x),
            "gt" => (x.gt(y), x.gt(1.5), x > y, x > 1.5, 1.5 < x),
            _ => (x.ge(y), x.ge(1.5), x >= y, x >= 1.5, 1.5 <= x),
        };
        c.Check(method, "tensor");
        c.Check(oper, "tensor");
        c.Check(methodScalar, "scalar");
        c.Check(operScalar, "scalar");
        c.Check(reversedScalar, "scalar");
        if (op == "eq") c.Check(eq(x, y), "tensor");
    }

    [Fact]
    public void IntegerComparisonsAndMixedTypes()
    {
        using var scope = NewDisposeScope();
        var i = Case("int_inputs");
        var (xi, yi) = (i.T("xi"), i.T("yi"));
        var x = Case("inputs").T("x");
        var c = Case("cmp_int");
        c.Check(xi == yi, "eq");
        c.Check(xi < 1, "lt");
        c.Check(xi >= x, "ge_mixed");
    }

    [Fact]
    public void LogicalAndBitwiseOps()
    {
        using var scope = NewDisposeScope();
        var c = Case("logical");
        var (a, b) = (c.T("a"), c.T("b"));
        c.Check(a & b, "and_");
        c.Check(a | b, "or_");
        c.Check(a ^ b, "xor");
        c.Check(~a, "not_");
        c.Check(a.logical_and(b), "logical_and");
        c.Check(a.logical_or(b), "logical_or");
        c.Check(a.logical_not(), "logical_not");

        var i = Case("int_inputs");
        var (xi, yi) = (i.T("xi"), i.T("yi"));
        var bw = Case("bitwise");
        bw.Check(xi & yi, "and_");
        bw.Check(xi.bitwise_or(yi), "or_");
        bw.Check(xi ^ yi, "xor");
        bw.Check(~xi, "not_");
    }

    [Fact]
    public void EqualAndAllclose()
    {
        using var scope = NewDisposeScope();
        var x = Case("inputs").T("x");
        var close = x * (1 + 1e-6f);
        x.allclose(close).Should().BeTrue();
        allclose(x, x + 1e-3f).Should().BeFalse();
        allclose(x, x + 1e-3f, rtol: 0, atol: 2e-3).Should().BeTrue();
        x.allclose(x.clone(), 0, 0).Should().BeTrue();
    }

    [Fact]
    public void MatrixProducts()
    {
        using var scope = NewDisposeScope();
        var i = Case("linalg_inputs");
        var (m1, m2, bt1, bt2, v3, v4) = (i.T("m1"), i.T("m2"), i.T("bt1"), i.T("bt2"), i.T("v3"), i.T("v4"));
        Case("matmul").Check(m1.matmul(m2), "out");
        Case("matmul").Check(matmul(m1, m2), "out");
        Case("matmul_broadcast").Check(bt1.matmul(m2), "out");
        Case("matmul_vec_mat").Check(v3.matmul(m2), "out");
        Case("matmul_mat_vec").Check(m1.matmul(v3), "out");
        Case("matmul_dot").Check(v3.matmul(v3), "out");
        Case("mm").Check(mm(m1, m2), "out");
        Case("mm").Check(m1.mm(m2), "out");
        Case("bmm").Check(bt1.bmm(bt2), "out");
        Case("bmm").Check(bmm(bt1, bt2), "out");
        Case("outer").Check(v3.outer(v4), "out");
    }

    [Fact]
    public void Einsum()
    {
        using var scope = NewDisposeScope();
        var i = Case("linalg_inputs");
        var (m1, m2, bt1, bt2, v3) = (i.T("m1"), i.T("m2"), i.T("bt1"), i.T("bt2"), i.T("v3"));
        var e = Case("einsum_inputs");
        Case("einsum.ij,jk->ik").Check(einsum("ij,jk->ik", m1, m2), "out");
        Case("einsum.bij,bjk->bik").Check(einsum("bij,bjk->bik", bt1, bt2), "out");
        Case("einsum.ii->i").Check(einsum("ii->i", e.T("sq")), "out");
        Case("einsum.i,i->").Check(einsum("i,i->", v3, v3), "out");
        Case("einsum.ij->ji").Check(einsum("ij->ji", m1), "out");
        Case("einsum.bhqd,bhkd->bhqk").Check(einsum("bhqd,bhkd->bhqk", e.T("q"), e.T("k")), "out");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void SoftmaxAndLogSoftmax(int dim)
    {
        using var scope = NewDisposeScope();
        var s = Case("softmax_input").T("s");
        var c = Case($"softmax.{dim}");
        c.Check(s.softmax(dim), "softmax");
        c.Check(softmax(s, dim), "softmax");
        c.Check(nn.functional.softmax(s, dim), "softmax");
        c.Check(s.log_softmax(dim), "log_softmax");
        c.Check(nn.functional.log_softmax(s, dim), "log_softmax");
        var sums = s.softmax(dim).sum(dim);
        sums.allclose(ones_like(sums), rtol: 0, atol: 1e-6).Should().BeTrue();
    }

    [Fact]
    public void SoftmaxWithDtype()
    {
        using var scope = NewDisposeScope();
        var s = Case("softmax_input").T("s");
        Case("softmax_f64").Check(s.softmax(1, float64), "out", rtol: 1e-6, atol: 1e-7);
    }

    [Fact]
    public void EveryReferenceCaseIsExercised()
    {
        var covered = new HashSet<string>(Unary.Keys.Select(k => "unary." + k))
        {
            "inputs", "binary_inputs", "maximum", "minimum", "atan2", "where", "where_scalar_like", "clamp", "clamp_min",
            "clamp_tensor", "special", "cmp.eq", "cmp.ne", "cmp.lt", "cmp.le", "cmp.gt", "cmp.ge", "int_inputs", "cmp_int",
            "logical", "bitwise", "linalg_inputs", "matmul", "matmul_broadcast", "matmul_vec_mat", "matmul_mat_vec",
            "matmul_dot", "mm", "bmm", "outer", "einsum_inputs", "einsum.ij,jk->ik", "einsum.bij,bjk->bik", "einsum.ii->i",
            "einsum.i,i->", "einsum.ij->ji", "einsum.bhqd,bhkd->bhqk", "softmax_input", "softmax.0", "softmax.1", "softmax.2",
            "softmax.-1", "softmax_f64",
        };
        Ref.File(File).EnumerateObject().Select(p => p.Name).Where(n => !covered.Contains(n)).Should().BeEmpty();
    }
}
