using System.Collections.Generic;
using System.Text.Json;
using Efficient.Torch.Modules;

namespace Efficient.Torch.Tests.Optim;

/// <summary>
/// The problem of Reference/generate_optim.py: loss = sum((V (W x + b) - y)^2) with explicit initial
/// weights; u never gets a gradient. Group 0 = [W, b, u], group 1 = [V].
/// </summary>
internal sealed class OptimProblem : IDisposable
{
    private static readonly Lazy<JsonElement> s_reference = new(() => ReferenceFile.Load("optim.json"));

    public static JsonElement Reference => s_reference.Value;

    public Parameter W { get; }
    public Parameter b { get; }
    public Parameter u { get; }
    public Parameter V { get; set; }
    private readonly Tensor _x;
    private readonly Tensor _y;

    public OptimProblem()
    {
        var problem = Reference.GetProperty("problem");
        Parameter P(string name) => new(tensor(ReferenceFile.Floats(problem.GetProperty("init").GetProperty(name)), ReferenceFile.Longs(problem.GetProperty("shapes").GetProperty(name))).DetachFromDisposeScope());
        W = P("W");
        b = P("b");
        u = P("u");
        V = P("V");
        _x = tensor(ReferenceFile.Floats(problem.GetProperty("x")), ReferenceFile.Longs(problem.GetProperty("x_shape"))).DetachFromDisposeScope();
        _y = tensor(ReferenceFile.Floats(problem.GetProperty("y")), ReferenceFile.Longs(problem.GetProperty("y_shape"))).DetachFromDisposeScope();
    }

    public Parameter[] All => new[] { W, b, u, V };

    public Parameter[] Group0 => new[] { W, b, u };

    public Parameter[] Group1 => new[] { V };

    public Tensor Loss()
    {
        var h = W.matmul(_x) + b.unsqueeze(1);
        return (V.matmul(h) - _y).pow(2).sum();
    }

    /// <summary>zero_grad, forward, backward; returns the loss value.</summary>
    public float ForwardBackward(torch.optim.Optimizer optimizer)
    {
        optimizer.zero_grad();
        var loss = Loss();
        loss.backward();
        return loss.item<float>();
    }

    public float[] Flat() => All.SelectMany(p => p.data<float>().ToArray()).ToArray();

    public void CopyFrom(OptimProblem other)
    {
        using (no_grad())
            foreach (var (mine, theirs) in All.Zip(other.All)) mine.copy_(theirs);
    }

    public static JsonElement OptimizerCase(string name)
        => Reference.GetProperty("optimizers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static JsonElement SchedulerCase(string name)
        => Reference.GetProperty("schedulers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static double[][] Doubles2(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();

    public void Dispose()
    {
        foreach (var p in All) p.Dispose();
        _x.Dispose();
        _y.Dispose();
    }

    public static void ShouldBeClose(IReadOnlyList<float> actual, IReadOnlyList<float> expected, double tolerance, string because)
    {
        actual.Count.Should().Be(expected.Count, because);
        for (var i = 0; i < expected.Count; i++)
        {
            var diff = Math.Abs((double)actual[i] - expected[i]);
            if (diff > tolerance)
                throw new Xunit.Sdk.XunitException($"{because}: element {i} is {actual[i]:R}, expected {expected[i]:R} (difference {diff:E3} > {tolerance:E1}).");
        }
    }
}
