using System.IO;
using System.Text.Json;
using TorchSharp.Modules;

namespace Efficient.Training.Tests.Algorithms.Optimization;

/// <summary>
/// Reads Reference/techniques_optim.json (written by generate_techniques_optim.py with PyTorch 1.13):
/// LARS and LARC trajectories on fixed weights and gradients, and the layer-wise LR decay runs of a
/// tiny encoder-like model.
/// </summary>
internal static class OptimTechniqueReference
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_optim.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static int Steps => Root.GetProperty("steps").GetInt32();

    public static double[] LearningRates => Root.GetProperty("lrs").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static long[][] Shapes => Root.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(d => d.GetInt64()).ToArray()).ToArray();

    /// <summary>Fresh parameters holding the reference's initial weights ([3, 4], [3], and a zero [2, 3]).</summary>
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

    /// <summary>Asserts |a − e| ≤ atol + rtol·|e| element-wise.</summary>
    public static void ShouldBeClose(float[] actual, float[] expected, double rtol, double atol, string because)
    {
        actual.Length.Should().Be(expected.Length, because);
        for (var i = 0; i < actual.Length; i++)
            ((double)Math.Abs(actual[i] - expected[i])).Should().BeLessThanOrEqualTo(atol + rtol * Math.Abs(expected[i]), $"{because}, element {i}: {actual[i]} vs {expected[i]}");
    }

    /// <summary>The script's tiny encoder: embeddings.token = Embedding(10, 4), layers.0..2 = Linear(4, 4) with tanh, head = Linear(4, 3) on the mean over positions.</summary>
    public sealed class TinyEncoder : nn.Module<Tensor, Tensor>
    {
        private readonly Embeddings embeddings;
        private readonly ModuleList<Linear> layers;
        private readonly Linear head;

        public TinyEncoder() : base(nameof(TinyEncoder))
        {
            embeddings = new Embeddings();
            layers = new ModuleList<Linear>(nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 4));
            head = nn.Linear(4, 3);
            RegisterComponents();
            using var _ = no_grad();
            var initial = Root.GetProperty("llrd").GetProperty("initial");
            foreach (var (name, p) in named_parameters())
                p.copy_(tensor(Floats(initial.GetProperty(name)), p.shape));
        }

        public override Tensor forward(Tensor input)
        {
            var h = embeddings.token.call(input);
            foreach (var layer in layers) h = layer.call(h).tanh();
            return head.call(h.mean(new long[] { 1 }));
        }

        public sealed class Embeddings : nn.Module
        {
            public readonly Embedding token;

            public Embeddings() : base(nameof(Embeddings))
            {
                token = nn.Embedding(10, 4);
                RegisterComponents();
            }
        }
    }

    /// <summary>The script's tokens [4, 5] and targets [4].</summary>
    public static (Tensor tokens, Tensor targets) LlrdData()
    {
        var l = Root.GetProperty("llrd");
        var x = tensor(l.GetProperty("tokens").EnumerateArray().Select(v => v.GetInt64()).ToArray(), new long[] { 4, 5 });
        var y = tensor(l.GetProperty("targets").EnumerateArray().Select(v => v.GetInt64()).ToArray());
        return (x.DetachFromDisposeScope(), y.DetachFromDisposeScope());
    }
}
