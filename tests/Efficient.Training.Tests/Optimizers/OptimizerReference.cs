using System.IO;
using System.Text.Json;
using TorchSharp.Modules;

namespace Efficient.Training.Tests.Optimizers;

/// <summary>Reads Reference/optimizers.json (written by generate_optimizers.py with PyTorch 1.13).</summary>
internal static class OptimizerReference
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "optimizers.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static int Steps => Root.GetProperty("steps").GetInt32();

    public static long[][] Shapes => Root.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(d => d.GetInt64()).ToArray()).ToArray();

    public static double[] LearningRates => Root.GetProperty("lrs").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    /// <summary>Fresh parameters holding the reference's initial weights.</summary>
    public static Parameter[] InitialParameters()
    {
        var shapes = Shapes;
        var w0 = Root.GetProperty("w0").EnumerateArray().ToArray();
        return shapes.Select((s, i) => new Parameter(tensor(Floats(w0[i]), s).DetachFromDisposeScope())).ToArray();
    }

    /// <summary>Sets the gradients of <paramref name="ps"/> to the reference's gradients of step <paramref name="step"/> (0-based), exactly.</summary>
    public static void SetGradients(Parameter[] ps, int step)
    {
        using var scope = NewDisposeScope();
        var shapes = Shapes;
        var grads = Root.GetProperty("grads")[step].EnumerateArray().ToArray();
        foreach (var p in ps) p.grad?.zero_();
        Tensor? loss = null;
        for (var i = 0; i < ps.Length; i++)
        {
            var term = ps[i].mul(tensor(Floats(grads[i]), shapes[i])).sum();
            loss = loss is null ? term : loss.add(term);
        }
        loss!.backward();
    }

    public static JsonElement Case(string name) => Root.GetProperty("optimizers").GetProperty(name);

    public static double Option(this JsonElement options, string name, double fallback) =>
        options.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;

    public static bool Flag(this JsonElement options, string name, bool fallback) =>
        options.TryGetProperty(name, out var v) ? v.GetBoolean() : fallback;

    public static void ShouldBeClose(float[] actual, float[] expected, string because, double rtol = 1e-5, double atol = 1e-6)
    {
        actual.Length.Should().Be(expected.Length);
        for (var i = 0; i < actual.Length; i++)
            ((double)Math.Abs(actual[i] - expected[i])).Should().BeLessThanOrEqualTo(atol + rtol * Math.Abs(expected[i]), $"{because}, element {i}: {actual[i]} vs {expected[i]}");
    }
}
