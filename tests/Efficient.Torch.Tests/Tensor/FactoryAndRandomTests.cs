using System.Collections.Generic;
namespace Efficient.Torch.Tests.Tensors;

/// <summary>Factories, tensors from .NET arrays and seeded random numbers against PyTorch (Reference/ref_factories.json).</summary>
[Collection(DefaultGeneratorCollection.Name)]
public class FactoryAndRandomTests
{
    private const string File = "ref_factories.json";

    private static RefCase Case(string name) => Ref.Case(File, name);

    [Fact]
    public void ZerosOnesAndFull()
    {
        using var scope = NewDisposeScope();
        Case("zeros").Check(zeros(2, 3), "out");
        Case("zeros_int64").Check(zeros(new long[] { 2, 3 }, int64), "out");
        Case("ones_int32").Check(ones(4, dtype: ScalarType.Int32), "out");
        Case("ones_4d").Check(ones(1, 2, 1, 2), "out");
        Case("full_float").Check(full(2, 2, 3.5f), "out");
        Case("full_int").Check(full(3, 7), "out");
        Case("full_bool").Check(full(2, true), "out");
        Case("full_dtype").Check(full(2, 3, 2, float64), "out");
    }

    [Fact]
    public void ArangeLinspaceAndEye()
    {
        using var scope = NewDisposeScope();
        Case("arange_stop").Check(arange(5), "out");
        Case("arange_float_step").Check(arange(1.0, 2.0, 0.25), "out");
        Case("arange_int_step").Check(arange(0, 10, 3), "out");
        Case("arange_tenths").Check(arange(0.0, 1.0, 0.1), "out");
        Case("arange_negative_step").Check(arange(5, -4, -2), "out");
        Case("arange_dtype").Check(arange(0, 4, float64), "out");
        Case("linspace").Check(linspace(0, 1, 7), "out");
        Case("linspace_f64").Check(linspace(-2, 2, 5, float64), "out");
        Case("eye").Check(eye(3), "out");
        Case("eye_rect").Check(eye(2, 4), "out");
        Case("eye_int64").Check(eye(3, dtype: int64), "out");
    }

    [Fact]
    public void LikeAndNewFactories()
    {
        using var scope = NewDisposeScope();
        var c = Case("like");
        var x = c.T("x");
        c.Check(zeros_like(x), "zeros");
        c.Check(x.ones_like(), "ones");
        c.Check(full_like(x, 2.5), "full");
        c.Check(ones_like(x, int64), "ones_int");
        c.Check(x.new_full(new long[] { 3 }, -1.5), "new_full");
        c.Check(x.new_zeros(new long[] { 2, 2 }), "new_zeros");
        var e = empty_like(x);
        e.shape.Should().Equal(2, 3);
        e.dtype.Should().Be(ScalarType.Float32);
        x.requires_grad.Should().BeFalse();
        zeros_like(x, requires_grad: true).requires_grad.Should().BeTrue();
    }

    [Fact]
    public void TensorsFromMultiDimensionalArrays()
    {
        using var scope = NewDisposeScope();
        var c = Case("from_2d_float");
        var rows = c["nested"].EnumerateArray().Select(r => r.EnumerateArray().Select(Ref.ReadSingle).ToArray()).ToArray();
        var a2 = new float[rows.Length, rows[0].Length];
        for (var i = 0; i < rows.Length; i++)
            for (var j = 0; j < rows[0].Length; j++) a2[i, j] = rows[i][j];
        c.Check(tensor(a2), "out");
        c.Check(from_array(a2), "out");

        var l = Case("from_2d_long");
        var longs = new long[,] { { 1, -2, 3 }, { 40, 50, -60 } };
        l.Check(tensor(longs), "out");
        l.Check(from_array(longs), "out");

        var d = Case("from_3d_double");
        var nested = d["nested"];
        var a3 = new double[2, 2, 3];
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 2; j++)
                for (var k = 0; k < 3; k++) a3[i, j, k] = nested[i][j][k].GetDouble();
        d.Check(tensor(a3), "out");
        d.Check(from_array(a3, float64), "out");
    }

    [Fact]
    public void TensorsFromOneDimensionalArraysAndScalars()
    {
        using var scope = NewDisposeScope();
        Case("from_bool_array").Check(tensor(new[] { true, false, true }), "out");
        Case("from_int_array").Check(tensor(new[] { 3, -1, 4 }), "out");
        Case("from_float_with_shape").Check(tensor(new[] { 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f }, new long[] { 3, 2 }), "out");
        Case("from_float_to_float64").Check(tensor(new[] { 0.1f, 0.2f, 0.3f }, float64), "out");

        // TorchSharp's scalar overloads keep the .NET type: int → Int32, long → Int64, float → Float32.
        var i = tensor(3);
        i.dtype.Should().Be(ScalarType.Int32);
        i.shape.Should().BeEmpty();
        i.item<int>().Should().Be(3);
        tensor(3L).item<long>().Should().Be(3L);
        tensor(2.5f).item<float>().Should().Be(2.5f);
        tensor(2.5).dtype.Should().Be(ScalarType.Float64);
        tensor(2.5, float32).dtype.Should().Be(ScalarType.Float32);
        tensor(true).item<bool>().Should().BeTrue();
        Tensor implicitArray = new[] { 1f, 2f };
        implicitArray.data<float>().ToArray().Should().Equal(1f, 2f);
    }

    [Fact]
    public void ManualSeedGivesPythonsRandomSequence()
    {
        using var scope = NewDisposeScope();
        var c = Case("random.sequence");
        manual_seed(0);
        var randn1 = randn(2, 3);
        var rand1 = rand(5);
        var randint1 = randint(0, 10, new long[] { 6 });
        var randperm1 = randperm(8);
        var randnBig = randn(20);
        c.Check(randn1, "randn");
        c.Check(rand1, "rand");
        c.Check(randint1, "randint");
        c.Check(randperm1, "randperm");
        c.Check(randnBig, "randn_big");

        var c2 = Case("random.sequence2");
        torch.random.manual_seed(123);
        c2.Check(randn(3, float64), "randn64");
        c2.Check(randint(-5, 5, new long[] { 2, 3 }), "randint");
        c2.Check(randperm(20), "randperm");
        c2.Check(normal(0.5, 2.0, new long[] { 4 }), "normal");
        c2.Check(rand(1, 2, 1, 2), "rand4d");
    }

    [Fact]
    public void SeededInPlaceAndLikeSamplersMatchPython()
    {
        using var scope = NewDisposeScope();
        var c = Case("random.inplace_and_like");
        manual_seed(7);
        var z = zeros(2, 3);
        c.Check(rand_like(z), "rand_like");
        c.Check(z.randn_like(), "randn_like");
        c.Check(zeros(6).uniform_(-1, 1), "uniform");
        c.Check(zeros(6).normal_(1.0, 0.5), "normal");
        c.Check(zeros(10).bernoulli_(0.3), "bernoulli_");
        var probs = c.T("probs");
        c.Check(multinomial(probs, 3), "multinomial");
        c.Check(multinomial(probs, 5, replacement: true), "multinomial_repl");
        c.Check(bernoulli(tensor(new[] { 0.2f, 0.8f, 0.5f, 0.5f, 0.9f })), "bernoulli");
    }

    [Fact]
    public void NormalWithTensorArgumentsAndRandintWithHighOnly()
    {
        using var scope = NewDisposeScope();
        var c = Case("random.normal_tensor");
        manual_seed(3);
        c.Check(normal(c.T("mean"), c.T("std")), "out");
        c.Check(randint(10, new long[] { 3 }), "randint_high");
    }

    [Fact]
    public void ExplicitGeneratorMatchesPythonGenerator()
    {
        using var scope = NewDisposeScope();
        var c = Case("random.generator");
        using var g = new Generator(42);
        c.Check(randn(4, generator: g), "randn");
        c.Check(rand(3, generator: g), "rand");
        c.Check(randint(0, 100, new long[] { 5 }, generator: g), "randint");
        c.Check(randperm(6, generator: g), "randperm");

        g.manual_seed(42);
        c.Check(randn(4, generator: g), "randn");
    }

    [Fact]
    public void RngStateRoundTrips()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var state = get_rng_state();
        var first = randn(5);
        set_rng_state(state);
        var again = randn(5);
        again.data<float>().ToArray().Should().Equal(first.data<float>().ToArray());
        initial_seed().Should().Be(0);
    }

    [Fact]
    public void EveryReferenceCaseIsExercised()
    {
        // Keep in step with the tests above when cases are added to generate_reference.py.
        var covered = new HashSet<string>
        {
            "zeros", "zeros_int64", "ones_int32", "ones_4d", "full_float", "full_int",
            "full_bool", "full_dtype", "arange_stop", "arange_float_step", "arange_int_step", "arange_tenths",
            "arange_negative_step", "arange_dtype", "linspace", "linspace_f64", "eye", "eye_rect",
            "eye_int64", "like", "from_2d_float", "from_2d_long", "from_3d_double", "from_bool_array",
            "from_int_array", "from_float_with_shape", "from_float_to_float64", "random.sequence", "random.sequence2", "random.inplace_and_like",
            "random.normal_tensor", "random.generator",
        };
        Ref.File(File).EnumerateObject().Select(p => p.Name).Where(n => !covered.Contains(n)).Should().BeEmpty();
    }
}

/// <summary>Tests that draw from the default generator run alone, so no other test moves its state in between.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultGeneratorCollection
{
    public const string Name = "Default generator (seeded sequences)";
}
