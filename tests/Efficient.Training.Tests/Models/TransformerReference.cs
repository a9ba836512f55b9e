using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Efficient.Training.Models;
using Efficient.Training.Tests.Algorithms;

namespace Efficient.Training.Tests.Models;

/// <summary>Reads Reference/techniques_transformer.json (written by generate_techniques_transformer.py with PyTorch 1.13).</summary>
internal static class TransformerReference
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_transformer.json"))));

    public static JsonElement Section(string name) => Document.Value.RootElement.GetProperty(name);

    /// <summary>The encoder options of a reference case (no dropout, so train and eval agree).</summary>
    public static BertEncoderOptions Options(JsonElement c)
    {
        var cfg = c.GetProperty("config");
        return new BertEncoderOptions
        {
            VocabSize = cfg.GetProperty("vocab").GetInt64(),
            HiddenSize = cfg.GetProperty("hidden").GetInt64(),
            Heads = cfg.GetProperty("heads").GetInt32(),
            Layers = cfg.GetProperty("layers").GetInt32(),
            IntermediateSize = cfg.GetProperty("ffn").GetInt64(),
            MaxLength = cfg.GetProperty("max_length").GetInt64(),
            PreLayerNorm = cfg.GetProperty("pre_ln").GetBoolean(),
            TieWordEmbeddings = cfg.GetProperty("tied").GetBoolean(),
            Dropout = 0,
            AttentionDropout = 0,
        };
    }

    /// <summary>
    /// Copies the case's weights into <paramref name="model"/> by name, after mapping the names of
    /// wrapper modules back (ALiBi's <c>attention.attention.</c>, layer dropping's <c>.layer.</c>),
    /// and checks that the model has exactly the reference's parameters.
    /// </summary>
    public static void LoadWeights(nn.Module model, JsonElement c)
    {
        var weights = c.GetProperty("weights");
        var shapes = c.GetProperty("shapes");
        var names = new List<string>();
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                var key = name.Replace("attention.attention.", "attention.").Replace(".layer.", ".");
                names.Add(key);
                weights.TryGetProperty(key, out var values).Should().BeTrue($"the reference has no weight '{key}'");
                var shape = shapes.GetProperty(key).EnumerateArray().Select(v => v.GetInt64()).ToArray();
                parameter.shape.Should().Equal(shape, key);
                using var t = tensor(values.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray(), shape);
                parameter.copy_(t);
            }
        }
        names.Should().BeEquivalentTo(weights.EnumerateObject().Select(p => p.Name));
    }

    public static Tensor Ids(JsonElement c) =>
        tensor(c.GetProperty("ids").EnumerateArray().Select(v => (long)v.GetDouble()).ToArray(), c.GetProperty("ids_shape").EnumerateArray().Select(v => v.GetInt64()).ToArray());

    public static Tensor? Mask(JsonElement c, Tensor ids) =>
        c.GetProperty("mask").ValueKind == JsonValueKind.Null ? null
            : tensor(c.GetProperty("mask").EnumerateArray().Select(v => (long)v.GetDouble()).ToArray(), ids.shape);

    public static float[] Floats(this JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    /// <summary>Runs the case's forward pass in eval mode and compares the logits with PyTorch's.</summary>
    public static void ShouldMatchLogits(nn.Module<Tensor, Tensor> model, JsonElement c, Func<Tensor, Tensor?, Tensor>? forward = null)
    {
        using var ids = Ids(c);
        using var mask = Mask(c, ids);
        model.eval();
        using var _ = no_grad();
        forward ??= (i, m) => model is BertEncoder bert ? bert.forward(i, m) : model.call(i);
        using var logits = forward(ids, mask);
        var vocab = c.GetProperty("config").GetProperty("vocab").GetInt64();
        logits.shape.Should().Equal(ids.shape[0], ids.shape[1], vocab);
        logits.Values().ShouldBeClose(c.Floats("logits"), rtol: 1e-4, atol: 2e-5);
    }
}
