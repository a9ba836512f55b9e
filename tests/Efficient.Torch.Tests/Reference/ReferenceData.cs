using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;

namespace Efficient.Torch.Tests;

/// <summary>
/// Reads the ref_*.json files written by <c>Reference/generate_reference.py</c> (PyTorch 1.13 on
/// the same libtorch): builds the stored input tensors and compares results with the expected ones.
/// A tensor is stored as <c>{"shape": [...], "dtype": "float32", "data": [flat, row-major]}</c>.
/// </summary>
internal static class Ref
{
    /// <summary>Default tolerances for float32 results: |actual − expected| ≤ atol + rtol·|expected|.</summary>
    public const double Rtol32 = 1e-5, Atol32 = 1e-6;

    /// <summary>Default tolerances for float64 results.</summary>
    public const double Rtol64 = 1e-10, Atol64 = 1e-12;

    private static readonly ConcurrentDictionary<string, JsonElement> s_files = new();

    /// <summary>The root object of a reference file (cached).</summary>
    public static JsonElement File(string file) => s_files.GetOrAdd(file, static name =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", name);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"Reference file {name} is missing; regenerate it with /usr/bin/python3 tests/Efficient.Torch.Tests/Reference/generate_reference.py.", path);
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(path));
        return doc.RootElement.Clone();
    });

    /// <summary>One case of a reference file.</summary>
    public static RefCase Case(string file, string name)
    {
        if (!File(file).TryGetProperty(name, out var e))
            throw new KeyNotFoundException($"Case '{name}' is not in {file}; regenerate the reference files.");
        return new RefCase(file, name, e);
    }

    public static ScalarType DType(string? name) => name switch
    {
        "float32" => ScalarType.Float32,
        "float64" => ScalarType.Float64,
        "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16,
        "int64" => ScalarType.Int64,
        "int32" => ScalarType.Int32,
        "int16" => ScalarType.Int16,
        "int8" => ScalarType.Int8,
        "uint8" => ScalarType.Byte,
        "bool" => ScalarType.Bool,
        _ => throw new ArgumentException($"Unknown dtype '{name}' in a reference file."),
    };

    public static long[] Shape(JsonElement spec) => spec.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();

    public static double ReadDouble(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString() switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            var s => double.Parse(s!, CultureInfo.InvariantCulture),
        },
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        _ => e.GetDouble(),
    };

    public static float ReadSingle(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetSingle() : (float)ReadDouble(e);

    /// <summary>Builds the stored tensor (registered in the current dispose scope).</summary>
    public static Tensor ToTensor(JsonElement spec)
    {
        var shape = Shape(spec);
        var data = spec.GetProperty("data").EnumerateArray().ToArray();
        var dtype = DType(spec.GetProperty("dtype").GetString());
        return dtype switch
        {
            ScalarType.Float32 => tensor(data.Select(ReadSingle).ToArray(), shape),
            ScalarType.Float16 or ScalarType.BFloat16 => tensor(data.Select(ReadSingle).ToArray(), shape, dtype),
            ScalarType.Float64 => tensor(data.Select(ReadDouble).ToArray(), shape),
            ScalarType.Int64 => tensor(data.Select(e => e.GetInt64()).ToArray(), shape),
            ScalarType.Int32 => tensor(data.Select(e => e.GetInt32()).ToArray(), shape),
            ScalarType.Int16 => tensor(data.Select(e => e.GetInt16()).ToArray(), shape),
            ScalarType.Int8 => tensor(data.Select(e => e.GetSByte()).ToArray(), shape),
            ScalarType.Byte => tensor(data.Select(e => e.GetByte()).ToArray(), shape),
            ScalarType.Bool => tensor(data.Select(e => e.GetBoolean()).ToArray(), shape),
            _ => throw new ArgumentException($"Unsupported dtype {dtype}."),
        };
    }

    private static bool IsFloat(ScalarType t) => t is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

    /// <summary>
    /// Asserts shape, dtype and values: exact for integer and boolean tensors, within
    /// atol + rtol·|expected| for floating-point ones (NaN matches NaN).
    /// </summary>
    public static void AssertClose(Tensor actual, JsonElement expected, string what, double? rtol = null, double? atol = null)
    {
        ArgumentNullException.ThrowIfNull(actual);
        var shape = Shape(expected);
        actual.shape.Should().Equal(shape, $"the shape of {what} should match PyTorch's");
        var dtype = DType(expected.GetProperty("dtype").GetString());
        actual.dtype.Should().Be(dtype, $"the dtype of {what} should match PyTorch's");
        // float32 (and half) values are stored as the shortest decimal of the float32: read them as float32.
        var exp = expected.GetProperty("data").EnumerateArray()
            .Select(e => dtype is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 ? ReadSingle(e) : ReadDouble(e)).ToArray();
        var mismatches = new List<string>();
        if (IsFloat(dtype))
        {
            var rt = rtol ?? (dtype == ScalarType.Float64 ? Rtol64 : dtype == ScalarType.Float32 ? Rtol32 : 1e-3);
            var at = atol ?? (dtype == ScalarType.Float64 ? Atol64 : dtype == ScalarType.Float32 ? Atol32 : 1e-3);
            var act = actual.ToArray<double>();
            for (var i = 0; i < exp.Length && mismatches.Count < 10; i++)
            {
                var (a, e) = (act[i], exp[i]);
                var ok = double.IsNaN(e) ? double.IsNaN(a) : double.IsInfinity(e) ? a == e : Math.Abs(a - e) <= at + rt * Math.Abs(e);
                if (!ok) mismatches.Add(string.Create(CultureInfo.InvariantCulture, $"[{i}] actual {a:R}, expected {e:R} (diff {Math.Abs(a - e):G3})"));
            }
            mismatches.Should().BeEmpty($"{what} should match PyTorch within rtol {rt} and atol {at}");
        }
        else
        {
            var act = actual.ToArray<long>();
            for (var i = 0; i < exp.Length && mismatches.Count < 10; i++)
                if (act[i] != (long)exp[i]) mismatches.Add(string.Create(CultureInfo.InvariantCulture, $"[{i}] actual {act[i]}, expected {(long)exp[i]}"));
            mismatches.Should().BeEmpty($"{what} should equal PyTorch's exactly");
        }
    }
}

/// <summary>One named case of a reference file: its stored inputs and expected outputs.</summary>
internal sealed class RefCase
{
    private readonly JsonElement _element;

    public RefCase(string file, string name, JsonElement element)
    {
        File = file;
        Name = name;
        _element = element;
    }

    public string File { get; }

    public string Name { get; }

    public JsonElement this[string key] => _element.TryGetProperty(key, out var v)
        ? v
        : throw new KeyNotFoundException($"'{key}' is not in case '{Name}' of {File}; regenerate the reference files.");

    /// <summary>A stored tensor.</summary>
    public Tensor T(string key) => Ref.ToTensor(this[key]);

    /// <summary>A stored tensor with requires_grad set.</summary>
    public Tensor Leaf(string key) => Ref.ToTensor(this[key]).requires_grad_();

    /// <summary>A stored list of tensors.</summary>
    public Tensor[] List(string key) => this[key].EnumerateArray().Select(Ref.ToTensor).ToArray();

    public double D(string key) => Ref.ReadDouble(this[key]);

    public long L(string key) => this[key].GetInt64();

    public bool B(string key) => this[key].GetBoolean();

    public long[] Longs(string key) => this[key].EnumerateArray().Select(e => e.GetInt64()).ToArray();

    /// <summary>Compares <paramref name="actual"/> with the expected tensor stored under <paramref name="key"/>.</summary>
    public void Check(Tensor actual, string key, double? rtol = null, double? atol = null)
        => Ref.AssertClose(actual, this[key], $"{Name}.{key}", rtol, atol);

    /// <summary>Compares a list of tensors with the expected list stored under <paramref name="key"/>.</summary>
    public void Check(IReadOnlyList<Tensor> actual, string key, double? rtol = null, double? atol = null)
    {
        var expected = this[key].EnumerateArray().ToArray();
        actual.Count.Should().Be(expected.Length, $"{Name}.{key} should have as many tensors as PyTorch's");
        for (var i = 0; i < expected.Length; i++) Ref.AssertClose(actual[i], expected[i], $"{Name}.{key}[{i}]", rtol, atol);
    }
}
