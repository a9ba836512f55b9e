using System.IO;
using System.Text.Json;

namespace Efficient.Torch.Tests;

/// <summary>Loads expected values written by the Python scripts in Reference/.</summary>
internal static class ReferenceFile
{
    public static JsonElement Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", name);
        if (!File.Exists(path)) throw new FileNotFoundException($"Reference file {name} is missing; regenerate it with the script in tests/Efficient.Torch.Tests/Reference.", path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(x => x.GetSingle()).ToArray();

    public static long[] Longs(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();
}
