using System.IO;
using System.Text.Json;

namespace Efficient.Training.Tests.Algorithms;

/// <summary>Reads Reference/techniques_sparse.json (written by generate_techniques_sparse.py with PyTorch 1.13).</summary>
internal static class SparseReference
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_sparse.json"))));

    public static JsonElement Section(string name) => Document.Value.RootElement.GetProperty(name);

    public static float[] FloatsOf(this JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static double[] DoublesOf(this JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static long[] LongsOf(this JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetInt64()).ToArray();
}
