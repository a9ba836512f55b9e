using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using TorchSharp.Modules;
using Efficient.Training.Algorithms;
using Efficient.Training.Models;
using Efficient.Training.Tests.Core;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>ModelGrowth's progressive stacking (Gong et al., 2019) on the library's BertEncoder.</summary>
public sealed class ModelGrowthStackingTests
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "techniques_stacking.json"))));

    private static Dictionary<string, float[]> Section(string name) => Document.Value.RootElement.GetProperty(name).EnumerateObject()
        .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray());

    private static Dictionary<string, float[]> State(nn.Module m) =>
        m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.contiguous().data<float>().ToArray());

    [Fact]
    public void StackingCopiesLayersAsTheReference()
    {
        using var model = TransformerRuns.SmallBert();
        var original = Section("original");
        State(model).Keys.Should().BeEquivalentTo(original.Keys, "the reference names the encoder's parameters as BertEncoder does");
        using (no_grad())
            foreach (var (name, t) in model.state_dict()) t.copy_(tensor(original[name], t.shape));

        ModelGrowth.Stack(model).Should().Be(4);
        var once = Section("stacked_once");
        var actual = State(model);
        actual.Keys.Should().BeEquivalentTo(once.Keys);
        foreach (var (name, values) in once) actual[name].Should().Equal(values, name);

        ModelGrowth.Stack(model).Should().Be(8);
        var twice = Section("stacked_twice");
        actual = State(model);
        actual.Keys.Should().BeEquivalentTo(twice.Keys);
        foreach (var (name, values) in twice) actual[name].Should().Equal(values, name);

        // The copies are independent: changing layer 4 leaves layer 0 alone.
        using (no_grad()) model.named_parameters().Single(p => p.name == "layers.4.attention.qkv.bias").parameter.add_(1);
        State(model)["layers.0.attention.qkv.bias"].Should().Equal(original["layers.0.attention.qkv.bias"]);
    }

    [Fact]
    public void TheOptimizerStateIsCopiedWithTheLayers()
    {
        manual_seed(2);
        using var model = TransformerRuns.SmallBert();
        var (x, y) = TransformerRuns.Tokens();
        var optimizer = optim.Adam(model.parameters().ToList(), 1e-3);
        void Step()
        {
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(x).flatten(0, 1), y.flatten()).backward();
            optimizer.step();
        }
        Step();
        ModelGrowth.Stack(model, optimizer: optimizer).Should().Be(4);

        optimizer.parameters().Should().Equal(model.parameters(), (a, b) => ReferenceEquals(a, b), "an optimizer built over the stacked model lists them so");
        var states = ((OptimizerHelper)optimizer).state_dict().State;
        var index = model.named_parameters().Select((p, i) => (p.name, i)).ToDictionary(t => t.name, t => t.i);
        foreach (var (name, _) in model.named_parameters().Where(p => p.name.StartsWith("layers.2.", StringComparison.Ordinal) || p.name.StartsWith("layers.3.", StringComparison.Ordinal)))
        {
            var source = "layers." + (int.Parse(name.Split('.')[1]) - 2) + name[name.IndexOf('.', 7)..];
            var copied = (Adam.State)states[index[name]];
            var original = (Adam.State)states[index[source]];
            copied.step.Should().Be(original.step, name);
            copied.exp_avg.data<float>().ToArray().Should().Equal(original.exp_avg.data<float>().ToArray(), name);
            copied.exp_avg_sq.data<float>().ToArray().Should().Equal(original.exp_avg_sq.data<float>().ToArray(), name);
            ReferenceEquals(copied.exp_avg, original.exp_avg).Should().BeFalse("the copy owns its state");
        }
        Step();
        model.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>());
        State(model)["layers.2.attention.qkv.weight"].Should().NotEqual(State(model)["layers.0.attention.qkv.weight"], "the copies train on their own");
    }

    [Fact]
    public void ALayerChangedBySurgeryIsRefusedWithAClearError()
    {
        using var model = TransformerRuns.SmallBert(preLayerNorm: true);
        var surgery = new ModelSurgery(model);
        surgery.Replace("layers.1.feed_forward", nn.Sequential(nn.Linear(8, 8)));
        var act = () => ModelGrowth.Stack(model);
        act.Should().Throw<InvalidOperationException>().WithMessage("Layer 1 is a BertLayer whose parts (*feed_forward: Sequential*) differ from a plain BertLayer's; only unmodified BertLayers can be copied*");
        var bad = () => ModelGrowth.Stack(model, "head");
        bad.Should().Throw<ArgumentException>().WithMessage("'head' is a BertMlmHead; expected an ILayerStack (a BertEncoder).*");
        ModelGrowth.FindStacks(model).Should().Equal("");
        using var resnet = ModelTestRuns.SmallResNet();
        ModelGrowth.FindStacks(resnet).Should().BeEmpty();
    }

    private static TrainerOptions Options(BertEncoder model, string max, string? folder, IList<Duration> schedule)
    {
        var (x, y) = TransformerRuns.Tokens(n: 16);
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.AdamW(p, 1e-3),
            TrainData = new TensorTrainingData(x, y, 4, shuffle: true, seed: 3, tokensOf: t => t.numel()),
            MaxDuration = Duration.Parse(max),
            Seed = 7,
        };
        if (folder is not null) options.Checkpoint = new CheckpointOptions { Folder = folder, Interval = Duration.Parse("2ba"), KeepLast = 2 };
        options.Algorithms.Add(new ModelGrowthAlgorithm(new ModelGrowthOptions { Operator = GrowthOperator.Stack, Schedule = schedule }));
        return options;
    }

    [Fact]
    public void StacksAtTheScheduledTimesInsideTheTrainer()
    {
        manual_seed(1);
        using var model = TransformerRuns.SmallBert();
        var options = Options(model, "6ba", null, new List<Duration> { "2ba", "0.5dur" });
        var trainer = new Trainer(options);
        trainer.Fit();
        trainer.SurgeryReport.Should().Contain("ModelGrowth: progressive stacking (depth x2) on 1 layer stack at [2ba, 0.5dur]");
        model.LayerCount.Should().Be(8);
        model.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>());
    }

    [Fact]
    public void ACheckpointTakenAfterStackingResumesIdentically()
    {
        manual_seed(3);
        using var runs = ResumeHarness.Run(() => TransformerRuns.SmallBert(), (model, folder) => Options(model, "10ba", folder, new List<Duration> { "3ba", "7ba" }),
            interruptAt: 5,
            resumedModel: () =>
            {
                manual_seed(999);
                return TransformerRuns.SmallBert();
            },
            sameInitialWeights: true);
        runs.Resumed.Result.SurgeryReport.Should().Contain(l => l.EndsWith("; regrew 1 time(s) to resume", StringComparison.Ordinal));
        runs.Resumed.Model.LayerCount.Should().Be(8);
        var expected = TestModels.Weights(runs.Uninterrupted.Model);
        var actual = TestModels.Weights(runs.Resumed.Model);
        actual.Keys.Should().Equal(expected.Keys);
        foreach (var (name, w) in expected) actual[name].Should().Equal(w, $"{name} must be bit-identical after resume");
    }
}
