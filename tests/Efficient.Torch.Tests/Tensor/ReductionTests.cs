using System.Collections.Generic;

namespace Efficient.Torch.Tests.Tensors;

/// <summary>
/// sum/mean/prod, max/min (with indexes), arg-reductions, norm, var/std, topk, sort, cumsum,
/// logsumexp and all/any against PyTorch (Reference/ref_reductions.json).
/// </summary>
public class ReductionTests
{
    private const string File = "ref_reductions.json";

    /// <summary>x: float32 [2, 3, 4] with one tie; xi: int64 [3, 4]; xb: bool [3, 4].</summary>
    public sealed record In(Tensor x, Tensor xi, Tensor xb);

    private static In Inputs()
    {
        var c = Ref.Case(File, "inputs");
        return new In(c.T("x"), c.T("xi"), c.T("xb"));
    }

    private static readonly Dictionary<string, Func<In, Tensor>> Single = new()
    {
        ["sum"] = i => i.x.sum(),
        ["sum_dim"] = i => i.x.sum(1),
        ["sum_dims"] = i => i.x.sum(new long[] { 0, 2 }),
        ["sum_keepdim"] = i => i.x.sum(1, keepdim: true),
        ["sum_two_dims"] = i => i.x.sum(0, 1),
        ["sum_three_dims_keepdim"] = i => i.x.sum(0, 1, 2, keepdim: true),
        ["sum_f64"] = i => i.x.sum(type: float64),
        ["sum_int"] = i => i.xi.sum(),
        ["sum_int_dim"] = i => sum(i.xi, new long[] { 0 }),
        ["sum_bool"] = i => i.xb.sum(),
        ["mean"] = i => i.x.mean(),
        ["mean_dim"] = i => i.x.mean(new long[] { 1 }),
        ["mean_dims_keepdim"] = i => i.x.mean(new long[] { 0, 2 }, keepdim: true),
        ["mean_int_as_float"] = i => i.xi.mean(float32),
        ["prod"] = i => i.x.prod(),
        ["prod_dim_keepdim"] = i => i.x.prod(1, keepdim: true),
        ["prod_int"] = i => i.xi.prod(1),
        ["max"] = i => i.x.max(),
        ["min"] = i => min(i.x),
        ["argmax"] = i => i.x.argmax(),
        ["argmax_dim"] = i => i.x.argmax(2),
        ["argmax_dim_keepdim"] = i => i.x.argmax(1, keepdim: true),
        ["argmin"] = i => i.x.argmin(),
        ["argmin_dim"] = i => i.x.argmin(0),
        ["norm"] = i => i.x.norm(),
        ["norm_p1"] = i => i.x.norm(1.0f),
        ["norm_p3"] = i => norm(i.x, 3.0f),
        ["norm_dim"] = i => i.x.norm(1),
        ["norm_dim_keepdim_p1"] = i => i.x.norm(2, keepdim: true, p: 1.0f),
        ["var"] = i => i.x.var(),
        ["var_biased"] = i => i.x.var(unbiased: false),
        ["var_dim"] = i => i.x.var(1),
        ["var_dims_biased_keepdim"] = i => i.x.var(new long[] { 0, 2 }, unbiased: false, keepdim: true),
        ["std"] = i => i.x.std(),
        ["std_biased"] = i => i.x.std(false),
        ["std_dim_keepdim"] = i => i.x.std(2, keepdim: true),
        ["std_dims"] = i => i.x.std(new long[] { 0, 1 }),
        ["std_dim_f64"] = i => i.x.std(1, type: float64),
        ["argsort"] = i => i.x.argsort(1),
        ["cumsum"] = i => i.x.cumsum(1),
        ["cumsum_last_f64"] = i => i.x.cumsum(-1, float64),
        ["cumsum_int"] = i => i.xi.cumsum(0),
        ["logsumexp"] = i => i.x.logsumexp(1),
        ["logsumexp_keepdim"] = i => i.x.logsumexp(2, keepdim: true),
        ["all"] = i => i.xb.all(),
        ["all_dim"] = i => i.xb.all(1),
        ["any"] = i => any(i.xb),
        ["any_dim_keepdim"] = i => i.xb.any(0, keepdim: true),
        ["all_float"] = i => i.x.all(),
        ["any_int_dim"] = i => i.xi.any(1),
    };

    private static readonly Dictionary<string, Func<In, (Tensor, Tensor)>> Pairs = new()
    {
        ["max_dim"] = i => i.x.max(1),
        ["max_dim_keepdim"] = i => max(i.x, 2, keepdim: true),
        ["min_dim_keepdim"] = i => i.x.min(0, keepdim: true),
        ["max_int_dim"] = i => i.xi.max(1),
        ["topk"] = i => i.x.topk(2),
        ["topk_dim0_smallest"] = i => i.x.topk(2, dim: 0, largest: false),
        ["topk_dim1"] = i => topk(i.x, 3, dim: 1),
        ["sort"] = i => i.x.sort(),
        ["sort_dim0_desc"] = i => i.x.sort(0, descending: true),
    };

    public static TheoryData<string> SingleNames => Names(Single.Keys);

    public static TheoryData<string> PairNames => Names(Pairs.Keys);

    private static TheoryData<string> Names(IEnumerable<string> keys)
    {
        var data = new TheoryData<string>();
        foreach (var k in keys) data.Add(k);
        return data;
    }

    [Theory]
    [MemberData(nameof(SingleNames))]
    public void ReductionMatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        Ref.Case(File, name).Check(Single[name](Inputs()), "out");
    }

    [Theory]
    [MemberData(nameof(PairNames))]
    public void ValuesAndIndexesMatchPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var (values, indexes) = Pairs[name](Inputs());
        var c = Ref.Case(File, name);
        c.Check(values, "values");
        c.Check(indexes, "indexes");
    }

    [Fact]
    public void NamedTupleElements()
    {
        using var scope = NewDisposeScope();
        var x = Inputs().x;
        var c = Ref.Case(File, "max_dim");
        var m = x.max(1);
        c.Check(m.values, "values");
        c.Check(m.indexes, "indexes");
        var s = x.sort();
        Ref.Case(File, "sort").Check(s.Values, "values");
        Ref.Case(File, "sort").Check(s.Indices, "indexes");
        var t = x.topk(2);
        Ref.Case(File, "topk").Check(t.indexes, "indexes");
    }

    [Fact]
    public void StableSortKeepsTheOrderOfTies()
    {
        using var scope = NewDisposeScope();
        var c = Ref.Case(File, "sort_stable");
        var ties = c.T("x");
        var (values, indices) = sort(ties, stable: true);
        c.Check(values, "values");
        c.Check(indices, "indexes");
        var d = Ref.Case(File, "sort_stable_desc");
        var desc = ties.sort(descending: true, stable: true);
        d.Check(desc.Values, "values");
        d.Check(desc.Indices, "indexes");
        Ref.Case(File, "argsort_desc").Check(ties.argsort(descending: true), "out");
    }

    [Fact]
    public void StaticFormsMatchTheMethods()
    {
        using var scope = NewDisposeScope();
        var i = Inputs();
        var c = Ref.Case(File, "static");
        c.Check(sum(i.x, 1), "sum_dim");
        c.Check(mean(i.x, new long[] { 0, 1 }), "mean_dims");
        c.Check(argmax(i.x), "argmax");
        c.Check(argmax(i.x, 1), "argmax_dim");
        c.Check(norm(i.x), "norm");
        var (values, indexes) = max(i.x, 2);
        c.Check(values, "max_dim_values");
        c.Check(indexes, "max_dim_indexes");
        c.Check(all(i.xb), "all");
        c.Check(any(i.xb, 1), "any_dim");
        sum(i.x, new long[] { 0, 2 }).shape.Should().Equal(3);
    }

    [Fact]
    public void EveryReferenceCaseIsExercised()
    {
        var covered = new HashSet<string>(Single.Keys.Concat(Pairs.Keys))
        {
            "inputs", "sort_stable", "sort_stable_desc", "argsort_desc", "static",
        };
        Ref.File(File).EnumerateObject().Select(p => p.Name).Where(n => !covered.Contains(n)).Should().BeEmpty();
    }
}
