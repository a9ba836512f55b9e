using System.Collections.Generic;

namespace Efficient.Torch.Tests.Tensors;

/// <summary>
/// Shape ops (reshape ... roll), gather/scatter/masks, indexing with <see cref="TensorIndex"/> and
/// C# ranges, and writes through the indexer / index_put_, against PyTorch (Reference/ref_shape.json).
/// </summary>
public class ShapeAndIndexingTests
{
    private const string File = "ref_shape.json";

    private static RefCase Case(string name) => Ref.Case(File, name);

    /// <summary>x = arange(24).reshape(2, 3, 4) * 0.5 - 3 (distinct values), y random [2, 3, 4].</summary>
    private static (Tensor x, Tensor y) Inputs()
    {
        var c = Case("inputs");
        return (c.T("x"), c.T("y"));
    }

    /// <summary>"case/key" (optionally "#variant") → the op; c is the case (for its stored index tensors).</summary>
    private static readonly Dictionary<string, Func<Tensor, Tensor, RefCase, Tensor>> Ops = new()
    {
        ["reshape/out"] = (x, y, c) => x.reshape(4, 6),
        ["reshape_infer/out"] = (x, y, c) => reshape(x, -1, 4),
        ["view/out"] = (x, y, c) => x.view(6, 4),
        ["flatten/out"] = (x, y, c) => x.flatten(),
        ["flatten_1/out"] = (x, y, c) => flatten(x, 1),
        ["flatten_0_1/out"] = (x, y, c) => x.flatten(0, 1),
        ["permute/out"] = (x, y, c) => x.permute(2, 0, 1),
        ["transpose/out"] = (x, y, c) => transpose(x, 0, 2),
        ["t/out"] = (x, y, c) => x[0].t(),
        ["mT/out"] = (x, y, c) => x.mT,
        ["cat0/out"] = (x, y, c) => cat(new[] { x, y }, 0),
        ["cat1/out"] = (x, y, c) => cat(new List<Tensor> { x, y[.., ..2] }, 1),
        ["cat_last/out"] = (x, y, c) => torch.cat(new[] { x, y, x }, -1),
        ["stack0/out"] = (x, y, c) => stack(new[] { x, y }),
        ["stack2/out"] = (x, y, c) => stack(new[] { x, y }, 2),
        ["squeeze/all"] = (x, y, c) => c.T("s").squeeze(),
        ["squeeze/d0"] = (x, y, c) => c.T("s").squeeze(0),
        ["squeeze/d2"] = (x, y, c) => squeeze(c.T("s"), 2),
        ["squeeze/d1"] = (x, y, c) => c.T("s").squeeze(1),
        ["unsqueeze/d0"] = (x, y, c) => x.unsqueeze(0),
        ["unsqueeze/dlast"] = (x, y, c) => x.unsqueeze(-1),
        ["unsqueeze/d1"] = (x, y, c) => unsqueeze(x, 1),
        ["expand/out"] = (x, y, c) => c.T("e").expand(3, 4),
        ["expand/keep"] = (x, y, c) => c.T("e").expand(-1, 2),
        ["expand/new_dim"] = (x, y, c) => c.T("e").expand(new long[] { 2, 3, 4 }),
        ["repeat/out"] = (x, y, c) => x.repeat(2, 1, 2),
        ["repeat/new_dims"] = (x, y, c) => Case("expand").T("e").repeat(2, 2, 3),
        ["tile/out"] = (x, y, c) => Case("expand").T("e").tile(new long[] { 2, 2 }),
        ["narrow/out"] = (x, y, c) => x.narrow(2, 1, 2),
        ["select/out"] = (x, y, c) => x.select(1, 2),
        ["slice/out"] = (x, y, c) => x.slice(2, 0, 4, 2),
        ["index_select/out"] = (x, y, c) => x.index_select(1, c.T("idx")),
        ["gather/out"] = (x, y, c) => x.gather(2, c.T("idx")),
        ["scatter/out"] = (x, y, c) => x.scatter(1, c.T("idx"), c.T("src")),
        ["scatter/inplace"] = (x, y, c) => x.clone().scatter_(1, c.T("idx"), c.T("src")),
        ["scatter_add/out"] = (x, y, c) => x.scatter_add(1, c.T("idx"), c.T("src")),
        ["masked_fill/out"] = (x, y, c) => x.masked_fill(c.T("mask"), -1.0),
        ["masked_fill/inplace"] = (x, y, c) => x.clone().masked_fill_(c.T("mask"), 9),
        ["masked_select/out"] = (x, y, c) => x.masked_select(Case("masked_fill").T("mask")),
        ["flip/d0"] = (x, y, c) => x.flip(0),
        ["flip/d02"] = (x, y, c) => x.flip(0, 2),
        ["roll/flat"] = (x, y, c) => x.roll(1),
        ["roll/d0"] = (x, y, c) => x.roll(1, 0),
        ["roll/multi"] = (x, y, c) => x.roll(new long[] { 1, -2 }, new long[] { 1, 2 }),
        ["roll/neg"] = (x, y, c) => x.roll(-2, 2),
        // Indexing (the Python spelling is in generate_reference.py).
        ["index.range/out"] = (x, y, c) => x[.., 1..3],
        ["index.range/out#tuple"] = (x, y, c) => x[TensorIndex.Colon, (1, 3)],
        ["index.ellipsis_0/out"] = (x, y, c) => x[TensorIndex.Ellipsis, 0],
        ["index.none/out"] = (x, y, c) => x[TensorIndex.None],
        ["index.none_middle/out"] = (x, y, c) => x[TensorIndex.Colon, TensorIndex.None, 1],
        ["index.single/out"] = (x, y, c) => x[1],
        ["index.two/out"] = (x, y, c) => x[1, 2],
        ["index.three/out"] = (x, y, c) => x[1, 2, 3],
        ["index.from_end/out"] = (x, y, c) => x[^1],
        ["index.range_from_end/out"] = (x, y, c) => x[.., ..^1],
        ["index.range_open/out"] = (x, y, c) => x[.., 1..],
        ["index.last_of_last/out"] = (x, y, c) => x[TensorIndex.Ellipsis, ^1],
        ["index.step/out"] = (x, y, c) => x[.., .., TensorIndex.Slice(step: 2)],
        ["index.slice_negative/out"] = (x, y, c) => x[.., TensorIndex.Slice(-3, -1)],
        ["index.slice_step_start/out"] = (x, y, c) => x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(1, null, 2)],
        ["index.tuple_open/out"] = (x, y, c) => x[.., (null, 2)],
        ["index.long_params/out"] = (x, y, c) => c.T("x5")[new long[] { 1, 0, 1, 1 }],
        ["index.long_params/five"] = (x, y, c) => c.T("x5")[1, 0, 1, 1, 0],
        ["index.bool_true/out"] = (x, y, c) => x[TensorIndex.Bool(true)],
        ["index.bool_mask/out"] = (x, y, c) => x[c.T("mask")],
        ["index.greater/out"] = (x, y, c) => x[x > 4],
        ["index.tensor/first"] = (x, y, c) => x[c.T("ii")],
        ["index.tensor/colon_tensor"] = (x, y, c) => x[.., c.T("jj")],
        ["index.tensor/pair"] = (x, y, c) => x[c.T("ii"), c.T("jj")],
        ["index.tensor/with_ellipsis"] = (x, y, c) => x[TensorIndex.Ellipsis, TensorIndex.Tensor(tensor(new long[] { 3, 0 }))],
    };

    /// <summary>"case" → a write through the indexer or index_put_ into a copy w of x.</summary>
    private static readonly Dictionary<string, Action<Tensor, Tensor, RefCase>> Writes = new()
    {
        ["put.colon_single"] = (w, x, c) => w[.., 0] = tensor(new[] { 7f, 8f, 9f, 10f }),
        ["put.scalar"] = (w, x, c) => w[0, 1] = 5.0f,
        ["put.range"] = (w, x, c) => w[TensorIndex.Ellipsis, 1..3] = 0.25f,
        ["put.mask"] = (w, x, c) => w[Case("index.bool_mask").T("mask")] = -1.0f,
        ["put.mask_expr"] = (w, x, c) => w[x > 4] = tensor(0.0f),
        ["put.tensor_pair"] = (w, x, c) => w[Case("index.tensor").T("ii"), Case("index.tensor").T("jj")] = tensor(new[] { 100f, 200f, 300f, 400f }),
        ["put.accumulate"] = (w, x, c) => w.index_put_(ones(3, 4), new[] { tensor(new long[] { 0, 0, 1 }) }, accumulate: true),
        ["put.row"] = (w, x, c) => w[1] = zeros(3, 4),
        ["put.from_view"] = (w, x, c) => w[.., .., ^1] = w[.., .., 0] * 2,
    };

    public static TheoryData<string> OpNames => Names(Ops.Keys);

    public static TheoryData<string> WriteNames => Names(Writes.Keys);

    private static TheoryData<string> Names(IEnumerable<string> keys)
    {
        var data = new TheoryData<string>();
        foreach (var k in keys) data.Add(k);
        return data;
    }

    [Theory]
    [MemberData(nameof(OpNames))]
    public void OpMatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var (x, y) = Inputs();
        var parts = name.Split('#')[0].Split('/');
        var c = Case(parts[0]);
        c.Check(Ops[name](x, y, c), parts[1]);
    }

    [Theory]
    [MemberData(nameof(WriteNames))]
    public void WriteMatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var (x, _) = Inputs();
        var w = x.clone();
        var c = Case(name);
        Writes[name](w, x, c);
        c.Check(w, "out");
    }

    [Fact]
    public void WritesIntoIntegerTensors()
    {
        using var scope = NewDisposeScope();
        var c = Case("put.int_scalar");
        var xi = c.T("x");
        var w = xi.clone();
        w[1] = 7;
        c.Check(w, "out");
        var w2 = xi.clone();
        w2.index_put_(7, TensorIndex.Single(1));
        c.Check(w2, "out");

        var m = Case("put.int_mask");
        var w3 = xi.clone();
        w3[xi % 2 == 0] = -1;
        m.Check(w3, "out");
        var w4 = xi.clone();
        w4.index_put_(-1, new[] { xi % 2 == 0 });
        m.Check(w4, "out");
    }

    [Fact]
    public void IndexPutReturnsTheTensorAndIndexViewsShareStorage()
    {
        using var scope = NewDisposeScope();
        var (x, _) = Inputs();
        var w = x.clone();
        w.index_put_(zeros(3, 4), TensorIndex.Single(1)).Should().BeSameAs(w);
        Case("put.row").Check(w, "out");

        var v = x.clone();
        var view = v[.., .., 1..3];
        view.fill_(0.25);
        Case("put.range").Check(v, "out");
    }

    [Fact]
    public void SplitChunkUnbind()
    {
        using var scope = NewDisposeScope();
        var (x, _) = Inputs();
        Case("split_size").Check(x.split(3, 2), "out");
        Case("split_sizes").Check(x.split(new long[] { 1, 2 }, 1), "out");
        Case("split_sizes").Check(split(x, new long[] { 1, 2 }, 1), "out");
        Case("chunk").Check(x.chunk(2, 2), "out");
        Case("chunk_uneven").Check(chunk(x, 2, 1), "out");
        Case("unbind").Check(x.unbind(1), "out");
        Case("nonzero_where").Check(where(Case("masked_fill").T("mask")), "out");
    }

    [Fact]
    public void ContiguousAndStrides()
    {
        using var scope = NewDisposeScope();
        var (x, _) = Inputs();
        var c = Case("contiguous_of_transpose");
        var tr = x.transpose(1, 2);
        tr.is_contiguous().Should().BeFalse();
        tr.stride().Should().Equal(c.Longs("transposed_stride"));
        var ct = tr.contiguous();
        ct.is_contiguous().Should().BeTrue();
        ct.stride().Should().Equal(c.Longs("stride"));
        c.Check(ct, "out");
        Action view = () => tr.view(24);
        view.Should().Throw<Exception>("view needs compatible strides");
        c.Check(tr.reshape(2, 4, 3), "out");

        var e = Case("expand");
        e.T("e").expand(3, 4).stride().Should().Equal(e.Longs("stride"));
        x.view_as(x.flatten()).shape.Should().Equal(24);
        Case("expand").Check(e.T("e").expand_as(ones(3, 4)), "out");
    }

    [Fact]
    public void DataAccessorReadsViewsInLogicalOrder()
    {
        using var scope = NewDisposeScope();
        var (x, _) = Inputs();
        var expected = Ref.ToTensor(Case("transpose")["out"]);
        var view = x.transpose(0, 2);
        view.is_contiguous().Should().BeFalse();
        view.data<float>().ToArray().Should().Equal(expected.data<float>().ToArray());
        view.data<float>()[3, 2, 1].Should().Be(x.data<float>()[1, 2, 3]);
        view.ToArray<float>().Should().Equal(expected.data<float>().ToArray());
    }

    [Fact]
    public void EveryReferenceCaseIsExercised()
    {
        var covered = new HashSet<string>(Ops.Keys.Select(k => k.Split('/')[0]).Concat(Writes.Keys))
        {
            "inputs", "put.int_scalar", "put.int_mask", "split_size", "split_sizes", "chunk", "chunk_uneven", "unbind",
            "nonzero_where", "contiguous_of_transpose",
        };
        Ref.File(File).EnumerateObject().Select(p => p.Name).Where(n => !covered.Contains(n)).Should().BeEmpty();
    }
}
