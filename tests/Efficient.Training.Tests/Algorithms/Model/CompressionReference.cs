using System.IO;
using System.Text.Json;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>Reads Reference/techniques_compression.json (written by generate_techniques_compression.py with PyTorch 1.13).</summary>
internal static class CompressionReference
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_compression.json"))));

    public static JsonElement Section(string name) => Document.Value.RootElement.GetProperty(name);

    public static float[] FloatArray(this JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static long[] LongArray(this JsonElement e) => e.EnumerateArray().Select(v => v.GetInt64()).ToArray();

    /// <summary>The tensors stored as parallel "shapes" and "weights" lists.</summary>
    public static Tensor[] Weights(this JsonElement e) =>
        e.GetProperty("weights").EnumerateArray().Zip(e.GetProperty("shapes").EnumerateArray())
            .Select(p => tensor(p.First.FloatArray(), p.Second.LongArray())).ToArray();
}
