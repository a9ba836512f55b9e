using System.Text.Json;
using Efficient.Torch.Modules;

namespace Efficient.Torch.Tests.Optim;

/// <summary>torch.nn.utils: gradient clipping against PyTorch, parameters ↔ vector.</summary>
public class GradientUtilsTests
{
    private static void GradsShouldMatch(OptimProblem p, JsonElement expected, string because)
    {
        foreach (var (name, param) in new[] { ("W", p.W), ("b", p.b), ("u", p.u), ("V", p.V) })
        {
            var e = expected.GetProperty(name);
            if (e.ValueKind == JsonValueKind.Null)
            {
                param.grad.Should().BeNull($"{because}: {name} has no gradient");
                continue;
            }
            using var g = param.grad!;
            OptimProblem.ShouldBeClose(g.data<float>().ToArray(), ReferenceFile.Floats(e), 1e-6, $"{because}: gradient of {name}");
        }
    }

    [Fact]
    public void ClipGradNormMatchesPyTorch()
    {
        foreach (var expected in OptimProblem.Reference.GetProperty("clip").EnumerateArray())
        {
            var normType = expected.GetProperty("norm_type") is { ValueKind: JsonValueKind.String } ? double.PositiveInfinity : expected.GetProperty("norm_type").GetDouble();
            var maxNorm = expected.GetProperty("max_norm").GetDouble();
            using var p = new OptimProblem();
            using var scope = NewDisposeScope();
            p.Loss().backward();
            var total = nn.utils.clip_grad_norm_(p.All, maxNorm, normType);
            var because = $"clip_grad_norm_(max_norm: {maxNorm}, norm_type: {normType})";
            total.Should().BeApproximately(expected.GetProperty("total_norm").GetDouble(), 1e-6, because);
            GradsShouldMatch(p, expected.GetProperty("grads"), because);
        }
    }

    [Fact]
    public void ClipGradValueMatchesPyTorch()
    {
        var expected = OptimProblem.Reference.GetProperty("clip_value");
        using var p = new OptimProblem();
        using var scope = NewDisposeScope();
        p.Loss().backward();
        nn.utils.clip_grad_value_(p.All, expected.GetProperty("clip_value").GetDouble());
        GradsShouldMatch(p, expected.GetProperty("grads"), "clip_grad_value_");
    }

    [Fact]
    public void ClipGradNormWithoutGradientsIsZeroAndBadArgumentsAreRejected()
    {
        using var p = new OptimProblem();
        nn.utils.clip_grad_norm_(p.All, 1.0).Should().Be(0);
        var badNorm = () => nn.utils.clip_grad_norm_(p.All, -1.0);
        badNorm.Should().Throw<ArgumentException>().WithMessage("Invalid max_norm: max_norm = -1; expected a value in [0, +inf).*").Which.ParamName.Should().Be("max_norm");
        var badType = () => nn.utils.clip_grad_norm_(p.All, 1.0, norm_type: 0);
        badType.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("norm_type");
        var badValue = () => nn.utils.clip_grad_value_(p.All, -0.5);
        badValue.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("clip_value");
    }

    [Fact]
    public void ParametersToVectorAndBack()
    {
        using var p = new OptimProblem();
        using var scope = NewDisposeScope();
        var vec = nn.utils.parameters_to_vector(p.All);
        vec.shape.Should().Equal(12 + 3 + 2 + 6);
        vec.data<float>().ToArray().Should().Equal(p.Flat());
        vec.requires_grad.Should().BeTrue("parameters_to_vector is recorded by autograd");

        var replacement = arange(0, 23, 1, ScalarType.Float32);
        nn.utils.vector_to_parameters(replacement, p.All);
        p.Flat().Should().Equal(Enumerable.Range(0, 23).Select(i => (float)i));
        p.V.shape.Should().Equal(2, 3);
        p.V.requires_grad.Should().BeTrue();
        p.V.is_leaf.Should().BeTrue();

        var wrong = () => nn.utils.vector_to_parameters(zeros(5), p.All);
        wrong.Should().Throw<Exception>().WithMessage("*vector_to_parameters*5 elements*23*");
    }
}
