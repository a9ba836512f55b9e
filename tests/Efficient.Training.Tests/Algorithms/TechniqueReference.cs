using System.IO;
using System.Text.Json;

namespace Efficient.Training.Tests.Algorithms;

/// <summary>Reads Reference/techniques_loss.json (written by generate_techniques_loss.py with PyTorch 1.13).</summary>
internal static class TechniqueReference
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_loss.json"))));

    public static JsonElement Section(string name) => Document.Value.RootElement.GetProperty(name);

    public static float[] Floats(this JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static long[] Longs(this JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetInt64()).ToArray();

    public static double Double(this JsonElement e, string name) => e.GetProperty(name).GetDouble();

    public static Tensor FloatTensor(this JsonElement e, string name, params long[] shape) => tensor(e.Floats(name), shape);

    /// <summary>Asserts element-wise closeness: |a − e| ≤ atol + rtol·|e|.</summary>
    public static void ShouldBeClose(this float[] actual, float[] expected, double rtol = 1e-6, double atol = 1e-6)
    {
        actual.Length.Should().Be(expected.Length);
        for (var i = 0; i < actual.Length; i++)
            ((double)Math.Abs(actual[i] - expected[i])).Should().BeLessThanOrEqualTo(atol + rtol * Math.Abs(expected[i]), $"element {i}: {actual[i]} vs {expected[i]}");
    }

    public static void ShouldBeClose(this double actual, double expected, double rtol = 1e-6, double atol = 1e-7) =>
        Math.Abs(actual - expected).Should().BeLessThanOrEqualTo(atol + rtol * Math.Abs(expected), $"{actual} vs {expected}");

    public static float[] Values(this Tensor t) => t.contiguous().data<float>().ToArray();
}
