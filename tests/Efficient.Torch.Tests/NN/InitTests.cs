using System.Text.Json;
using static Efficient.Torch.torch.nn.init;

namespace Efficient.Torch.Tests.NN;

/// <summary>
/// torch.nn.init: the same seeded values as PyTorch (Reference/generate_layers.py), the
/// documented bounds and moments on large tensors, determinism, no autograd history, and
/// argument errors.
/// </summary>
[Collection(Lifetime.SequentialCollection.Name)] // reseeds the global generator
public class InitTests
{
    private static JsonElement Init => LayerReference.Root.GetProperty("init");

    private static void SeededMatchesPyTorch(string name, long[] shape, Func<Tensor, Tensor> fill)
    {
        using var scope = NewDisposeScope();
        manual_seed(1234);
        var t = empty(shape);
        fill(t).Should().BeSameAs(t, "init functions return their argument");
        // Same generator stream and the same arithmetic as PyTorch: equal up to float32 rounding.
        LayerReference.AssertClose(t, Init.GetProperty(name), $"{name} with seed 1234", atol: 1e-6, rtol: 1e-6);
    }

    [Fact]
    public void SeededFillsEqualPyTorchs()
    {
        SeededMatchesPyTorch("uniform_", new long[] { 5, 4 }, t => uniform_(t, -0.3, 0.7));
        SeededMatchesPyTorch("normal_", new long[] { 5, 4 }, t => normal_(t, 0.5, 2.0));
        SeededMatchesPyTorch("trunc_normal_", new long[] { 6, 5 }, t => trunc_normal_(t, mean: 0.5, std: 2.0, a: -1.0, b: 3.0));
        SeededMatchesPyTorch("kaiming_uniform_", new long[] { 6, 4, 3 }, t => kaiming_uniform_(t, a: Math.Sqrt(5)));
        SeededMatchesPyTorch("kaiming_normal_", new long[] { 6, 4, 3 }, t => kaiming_normal_(t, mode: FanInOut.FanOut, nonlinearity: NonlinearityType.ReLU));
        SeededMatchesPyTorch("xavier_uniform_", new long[] { 5, 7 }, t => xavier_uniform_(t, gain: calculate_gain(NonlinearityType.Tanh)));
        SeededMatchesPyTorch("xavier_normal_", new long[] { 5, 7 }, t => xavier_normal_(t, gain: 2.0));
    }

    [Fact]
    public void GainsEqualPyTorchs()
    {
        var gains = LayerReference.Root.GetProperty("gains");
        calculate_gain(NonlinearityType.Linear).Should().Be(gains.GetProperty("linear").GetDouble());
        calculate_gain(NonlinearityType.Conv2D).Should().Be(gains.GetProperty("conv2d").GetDouble());
        calculate_gain(NonlinearityType.Sigmoid).Should().Be(gains.GetProperty("sigmoid").GetDouble());
        calculate_gain(NonlinearityType.Tanh).Should().BeApproximately(gains.GetProperty("tanh").GetDouble(), 1e-15);
        calculate_gain(NonlinearityType.ReLU).Should().BeApproximately(gains.GetProperty("relu").GetDouble(), 1e-15);
        calculate_gain(NonlinearityType.LeakyReLU, 0.2).Should().BeApproximately(gains.GetProperty("leaky_relu_0.2").GetDouble(), 1e-15);
    }

    [Fact]
    public void KaimingUniformStaysWithinItsBoundAndFillsIt()
    {
        using var scope = NewDisposeScope();
        var w = empty(256, 128);
        kaiming_uniform_(w);                      // a = 0, fan_in = 128, leaky_relu gain √2
        var bound = Math.Sqrt(2.0) * Math.Sqrt(3.0 / 128);
        var max = w.abs().max().ToDouble();
        max.Should().BeLessThanOrEqualTo(bound);
        max.Should().BeGreaterThan(0.99 * bound);
        w.mean().ToDouble().Should().BeApproximately(0, 0.01);
        w.std().ToDouble().Should().BeApproximately(bound / Math.Sqrt(3), 0.02 * bound);

        var conv = empty(16, 8, 3, 3);
        kaiming_uniform_(conv, a: Math.Sqrt(5));  // PyTorch's Conv2d default: bound 1/√fan_in
        conv.abs().max().ToDouble().Should().BeLessThanOrEqualTo(1 / Math.Sqrt(8 * 9));
    }

    [Fact]
    public void NormalInitialisersHaveTheirStandardDeviation()
    {
        using var scope = NewDisposeScope();
        var w = empty(512, 256);
        kaiming_normal_(w, mode: FanInOut.FanOut, nonlinearity: NonlinearityType.ReLU);
        w.std().ToDouble().Should().BeApproximately(Math.Sqrt(2.0 / 512), 0.02 * Math.Sqrt(2.0 / 512));
        xavier_normal_(w);
        w.std().ToDouble().Should().BeApproximately(Math.Sqrt(2.0 / (512 + 256)), 0.02 * Math.Sqrt(2.0 / (512 + 256)));
        xavier_uniform_(w, gain: 3);
        w.abs().max().ToDouble().Should().BeLessThanOrEqualTo(3 * Math.Sqrt(6.0 / (512 + 256)));
        trunc_normal_(w, mean: 1, std: 1, a: 0.5, b: 1.25);
        w.min().ToDouble().Should().BeGreaterThanOrEqualTo(0.5);
        w.max().ToDouble().Should().BeLessThanOrEqualTo(1.25);
    }

    [Fact]
    public void ConstantFillsAndFans()
    {
        using var scope = NewDisposeScope();
        var t = empty(3, 2, 4, 5);
        ones_(t).sum().ToDouble().Should().Be(120);
        zeros_(t).abs().sum().ToDouble().Should().Be(0);
        constant_(t, 0.25).mean().ToDouble().Should().Be(0.25);
        CalculateFanInAndFanOut(t).Should().Be((2L * 20, 3L * 20));
        CalculateFanInAndFanOut(empty(7, 3)).Should().Be((3L, 7L));
    }

    [Fact]
    public void SeedsAndGeneratorsMakeItDeterministic()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var a = kaiming_uniform_(empty(4, 6));
        var b = trunc_normal_(empty(4, 6));
        manual_seed(7);
        kaiming_uniform_(empty(4, 6)).equal(a).Should().BeTrue();
        trunc_normal_(empty(4, 6)).equal(b).Should().BeTrue();

        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        uniform_(empty(10), generator: g1).equal(uniform_(empty(10), generator: g2)).Should().BeTrue();
        normal_(empty(10), generator: g1).equal(normal_(empty(10), generator: g2)).Should().BeTrue();
        trunc_normal_(empty(10), generator: g1).equal(trunc_normal_(empty(10), generator: g2)).Should().BeTrue();
    }

    [Fact]
    public void InitialisersRecordNoAutogradHistory()
    {
        using var p = new Modules.Parameter(empty(4, 3));
        xavier_uniform_(p);
        kaiming_normal_(p);
        trunc_normal_(p);
        constant_(p, 1);
        p.is_leaf.Should().BeTrue();
        p.requires_grad.Should().BeTrue();
    }

    [Fact]
    public void BadArgumentsNameTheParameterTheValueAndTheExpectation()
    {
        using var scope = NewDisposeScope();
        var vector = empty(5);
        ((Action)(() => CalculateFanInAndFanOut(vector))).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "tensor").WithMessage("*shape [5]*at least 2 dimensions*");
        ((Action)(() => kaiming_uniform_(vector))).Should().Throw<ArgumentException>().WithMessage("kaiming_uniform_:*[5]*");
        ((Action)(() => trunc_normal_(empty(3, 3), a: 2, b: 1))).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "a").WithMessage("*a is 2 and b is 1; expected a < b*");
        ((Action)(() => uniform_(empty(3), 1, 0))).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "low").WithMessage("*low is 1 and high is 0; expected low <= high*");
        ((Action)(() => normal_(empty(3), 0, -1))).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "std").WithMessage("*std is -1; expected a non-negative value*");
        ((Action)(() => kaiming_normal_(empty(3, 3), mode: (FanInOut)5))).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "mode").WithMessage("*mode is 5*");
    }
}
