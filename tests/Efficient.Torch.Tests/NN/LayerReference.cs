using System.Collections.Generic;
using System.Text.Json;

namespace Efficient.Torch.Tests.NN;

/// <summary>
/// Reads Reference/layers.json (written by Reference/generate_layers.py) and checks a module's
/// forward and backward pass against it.
/// </summary>
internal static class LayerReference
{
    /// <summary>Float32 tolerance: |actual − expected| ≤ Atol + Rtol·|expected|.</summary>
    public const double Atol = 1e-5;

    /// <summary>Relative part of the tolerance.</summary>
    public const double Rtol = 1e-5;

    private static readonly Lazy<JsonElement> s_root = new(() => ReferenceFile.Load("layers.json"));

    public static JsonElement Root => s_root.Value;

    public static JsonElement Case(string name) => Root.GetProperty("cases").GetProperty(name);

    public static Tensor ToTensor(JsonElement e)
    {
        var shape = ReferenceFile.Longs(e.GetProperty("shape"));
        var data = e.GetProperty("data");
        return e.GetProperty("dtype").GetString() switch
        {
            "float32" => tensor(ReferenceFile.Floats(data), shape),
            "int64" => tensor(ReferenceFile.Longs(data), shape),
            "bool" => tensor(data.EnumerateArray().Select(x => x.GetBoolean()).ToArray(), shape),
            var other => throw new InvalidOperationException($"Unknown dtype {other} in layers.json."),
        };
    }

    public static Dictionary<string, Tensor> State(JsonElement e) =>
        e.EnumerateObject().ToDictionary(p => p.Name, p => ToTensor(p.Value));

    /// <summary>Asserts that <paramref name="actual"/> has the expected shape and values within tolerance.</summary>
    public static void AssertClose(Tensor actual, JsonElement expected, string what, double atol = Atol, double rtol = Rtol)
    {
        using var scope = NewDisposeScope();
        var shape = ReferenceFile.Longs(expected.GetProperty("shape"));
        actual.shape.Should().Equal(shape, $"the shape of {what}");
        var dtype = expected.GetProperty("dtype").GetString();
        if (dtype != "float32")
        {
            var a = actual.to(ScalarType.Int64).data<long>().ToArray();
            var e = dtype == "bool"
                ? expected.GetProperty("data").EnumerateArray().Select(x => x.GetBoolean() ? 1L : 0L).ToArray()
                : ReferenceFile.Longs(expected.GetProperty("data"));
            a.Should().Equal(e, what);
            return;
        }
        var got = actual.detach().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var want = ReferenceFile.Floats(expected.GetProperty("data"));
        var worst = -1;
        var worstExcess = 0.0;
        for (var i = 0; i < want.Length; i++)
        {
            double g = got[i], w = want[i];
            if (double.IsInfinity(w) || double.IsNaN(w))
            {
                if (!g.Equals(w)) { worst = i; break; }
                continue;
            }
            var excess = Math.Abs(g - w) - (atol + rtol * Math.Abs(w));
            if (excess > worstExcess)
            {
                worstExcess = excess;
                worst = i;
            }
        }
        if (worst >= 0)
            throw new Xunit.Sdk.XunitException($"{what}: element {worst} is {got[worst]:R}, expected {want[worst]:R} (tolerance {atol} + {rtol}·|expected|).");
    }

    /// <summary>
    /// Runs the case: loads inputs and the module state, compares the outputs, back-propagates
    /// Σ sum(output · gout), then compares the input gradients, the parameter gradients and the
    /// buffers after the pass.
    /// </summary>
    public static void Check(string name, torch.nn.Module? module, Func<Tensor[], Tensor?[]> forward, double atol = Atol, double rtol = Rtol)
    {
        var c = Case(name);
        using var scope = NewDisposeScope();
        var gradInputs = c.GetProperty("grad_inputs").EnumerateArray().Select(x => x.GetBoolean()).ToArray();
        var inputs = c.GetProperty("inputs").EnumerateArray().Select((x, i) =>
        {
            var t = ToTensor(x);
            return gradInputs[i] ? t.requires_grad_() : t;
        }).ToArray();

        if (module is not null)
        {
            var keys = c.GetProperty("state_keys").EnumerateArray().Select(x => x.GetString()!).ToArray();
            module.state_dict().Keys.Should().Equal(keys, $"{name}: state_dict names and order as in PyTorch");
            var (missing, unexpected) = module.load_state_dict(State(c.GetProperty("state")));
            missing.Should().BeEmpty();
            unexpected.Should().BeEmpty();
        }

        var outputs = forward(inputs);
        var expectedOutputs = c.GetProperty("outputs").EnumerateArray().ToArray();
        outputs.Should().HaveCount(expectedOutputs.Length, $"{name}: number of outputs");
        Tensor? loss = null;
        var gouts = c.GetProperty("gouts").EnumerateArray().ToArray();
        for (var i = 0; i < outputs.Length; i++)
        {
            if (expectedOutputs[i].ValueKind == JsonValueKind.Null)
            {
                outputs[i].Should().BeNull($"{name}: output {i} is None in PyTorch");
                continue;
            }
            outputs[i].Should().NotBeNull($"{name}: output {i}");
            AssertClose(outputs[i]!, expectedOutputs[i], $"{name}: output {i}", atol, rtol);
            if (gouts[i].ValueKind == JsonValueKind.Null) continue;
            var term = (outputs[i]! * ToTensor(gouts[i])).sum();
            loss = loss is null ? term : loss + term;
        }
        loss?.backward();

        var inputGrads = c.GetProperty("input_grads").EnumerateArray().ToArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputGrads[i].ValueKind == JsonValueKind.Null) continue;
            var g = inputs[i].grad;
            g.Should().NotBeNull($"{name}: input {i} should have a gradient");
            AssertClose(g!, inputGrads[i], $"{name}: gradient of input {i}", atol, rtol);
        }

        if (module is null) return;
        var paramGrads = c.GetProperty("param_grads");
        var withGrad = paramGrads.EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var (pname, p) in module.named_parameters())
        {
            var g = p.grad;
            if (!withGrad.Contains(pname))
            {
                g.Should().BeNull($"{name}: parameter {pname} gets no gradient in PyTorch");
                continue;
            }
            g.Should().NotBeNull($"{name}: parameter {pname} should have a gradient");
            AssertClose(g!, paramGrads.GetProperty(pname), $"{name}: gradient of {pname}", atol, rtol);
        }
        if (!c.TryGetProperty("buffers_after", out var buffersAfter)) return;
        foreach (var b in buffersAfter.EnumerateObject())
        {
            var actual = module.get_buffer(b.Name);
            actual.Should().NotBeNull($"{name}: buffer {b.Name}");
            AssertClose(actual!, b.Value, $"{name}: buffer {b.Name} after the pass", atol, rtol);
        }
    }
}
