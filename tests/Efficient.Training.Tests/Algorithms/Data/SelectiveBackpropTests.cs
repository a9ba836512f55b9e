using System.Collections.Generic;
using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Data;

public class SelectiveBackpropTests
{
    [Theory]
    [InlineData(0.4, 0, 2, false)]  // before start
    [InlineData(0.5, 0, 2, true)]
    [InlineData(0.5, 1, 2, false)]  // every 2nd batch is a full one
    [InlineData(0.6, 2, 2, true)]
    [InlineData(0.6, 5, 3, false)]
    [InlineData(0.6, 5, 0, true)]   // interrupt 0: every batch
    [InlineData(0.9, 0, 2, false)]  // end is exclusive
    public void SelectsInsideTheWindowExceptOnInterruptBatches(double progress, long batch, int interrupt, bool expected)
        => SelectiveBackprop.ShouldSelect(progress, batch, 0.5, 0.9, interrupt).Should().Be(expected);

    [Fact]
    public void WithoutAGeneratorKeepsTheHighestLosses()
    {
        using var losses = tensor(new float[] { 0.1f, 0.9f, 0.5f, 0.3f, 0.7f });
        Longs(SelectiveBackprop.SelectIndices(losses, 0.5)).Should().Equal(1, 4); // int(2.5) = 2
        Longs(SelectiveBackprop.SelectIndices(losses, 0.1)).Should().Equal(1);    // at least one
        SelectiveBackprop.KeptCount(5, 1).Should().Be(5);
    }

    [Fact]
    public void SamplingFollowsComposersRankWeights()
    {
        // The sample of loss rank r has percentile p = (r + 0.5) / N and weight p^(1/keep - 1).
        using var losses = tensor(new float[] { 0.4f, 0.1f, 0.3f, 0.2f }); // ranks 3, 0, 2, 1
        using var g = new Generator(123);
        var counts = new double[4];
        const int draws = 4000;
        for (var i = 0; i < draws; i++)
        {
            using var picked = SelectiveBackprop.SelectIndices(losses, 0.25, g); // keeps 1 of 4
            counts[picked.ToInt64()]++;
        }
        // keep 0.25: weights p^3 = 0.125^3, 0.375^3, 0.625^3, 0.875^3 normalised.
        var w = new[] { 0.875, 0.125, 0.625, 0.375 }.Select(p => p * p * p).ToArray();
        var total = w.Sum();
        for (var i = 0; i < 4; i++) (counts[i] / draws).Should().BeApproximately(w[i] / total, 0.03);

        using var g1 = new Generator(8);
        using var g2 = new Generator(8);
        Longs(SelectiveBackprop.SelectIndices(losses, 0.5, g1)).Should().Equal(Longs(SelectiveBackprop.SelectIndices(losses, 0.5, g2)));
    }

    [Fact]
    public void PerSampleLossesMatchCrossEntropyAndKeepPicksRows()
    {
        var (x, y) = TestModels.Data(n: 6);
        using var model = new TestModels.Mlp();
        var batch = new Batch(x, y, extras: new Dictionary<string, Tensor> { ["w"] = arange(6, dtype: ScalarType.Float32) });
        using var losses = SelectiveBackprop.PerSampleLosses(model, batch, SelectiveBackprop.CrossEntropyPerSample);
        losses.requires_grad.Should().BeFalse();
        using var logits = model.call(x);
        using var logp = logits.log_softmax(1);
        var expected = Enumerable.Range(0, 6).Select(i => -logp[i][y[i].ToInt64()].ToSingle()).ToArray();
        Floats(losses).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-6);

        var kept = SelectiveBackprop.Keep(batch, tensor(new long[] { 4, 1 }));
        Floats(kept.Input).Should().Equal(Floats(x[4]).Concat(Floats(x[1])));
        Longs(kept.Target).Should().Equal(Longs(y[4]).Concat(Longs(y[1])));
        Floats(kept.Extras["w"]).Should().Equal(4f, 1f);
    }

    private sealed class Identity : nn.Module<Tensor, Tensor>
    {
        public Identity() : base(nameof(Identity)) { }
        public override Tensor forward(Tensor input) => input;
    }

    [Fact]
    public void PerSampleLossAndDownScalingMatchPyTorch()
    {
        using var identity = new Identity();
        using var logits = Formula(Shape(Reference("ce_logits_shape")), 0.91) * 3;
        using var target = tensor(Shape(Reference("ce_target")));
        using var losses = SelectiveBackprop.PerSampleLosses(identity, new Batch(logits, target), SelectiveBackprop.CrossEntropyPerSample);
        Floats(losses).Select(v => (double)v).Should().Equal(Doubles(Reference("ce_per_sample")), (a, b) => Math.Abs(a - b) < 1e-5);

        // With scale 0.5 the loss sees the bilinear down-scaled input: capture it through the loss.
        using var image = Formula(Shape(Reference("sb_scaled_input_shape")));
        Tensor? seen = null;
        using var one = tensor(new long[] { 0 });
        SelectiveBackprop.PerSampleLosses(identity, new Batch(image, one), (outputs, _) => { seen = outputs.clone().DetachFromDisposeScope(); return outputs.sum(new long[] { 1, 2, 3 }); }, scaleFactor: 0.5);
        seen!.shape.Should().Equal(1, 2, 3, 4);
        Floats(seen).Select(v => (double)v).Should().Equal(Doubles(Reference("sb_scaled")), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void InsideATwoBatchRunWithMicrobatchesTheFirstBatchIsHalvedAndTheSecondIsFull()
    {
        var (x, y) = Images(16, 6);
        using var model = new PoolNet();
        var options = new SelectiveBackpropOptions { Start = 0, End = 1, Keep = 0.5, Interrupt = 2, Sample = false };
        var batches = Run(model, x, y, new SelectiveBackpropAlgorithm(options), batchSize: 8, microbatches: 2);
        batches.Select(b => b.input.shape[0]).Should().Equal(4, 8);
        // Batch 0 kept 4 of its own samples (which ones: see the next test); batch 1 is whole.
        var original = Enumerable.Range(0, 8).Select(i => Floats(x[i])).ToList();
        foreach (var i in Enumerable.Range(0, 4))
            original.Should().Contain(o => o.SequenceEqual(Floats(batches[0].input[i])));
        Floats(batches[1].input).Should().Equal(Floats(x.narrow(0, 8, 8)));
    }

    [Fact]
    public void TheInterruptCountsBatchesWithinTheEpochAsComposer()
    {
        // Composer's should_selective_backprop gets state.timestamp.batch_in_epoch: with 3 batches per
        // epoch and interrupt 2, batches 0 and 2 of every epoch are selected, batch 1 is whole. (Counting
        // batches over the run would leave the first batch of the second epoch whole.)
        var (x, y) = Images(24, 6);
        using var model = new PoolNet();
        var options = new SelectiveBackpropOptions { Start = 0, End = 1, Keep = 0.5, Interrupt = 2, Sample = false };
        var batches = Run(model, x, y, new SelectiveBackpropAlgorithm(options), batchSize: 8, max: "2ep");
        batches.Select(b => b.input.shape[0]).Should().Equal(4, 8, 4, 4, 8, 4);
    }

    [Fact]
    public void KeepingEverySampleSkipsTheScoringPass()
    {
        var (x, y) = Images(16, 6);
        using var model = new PoolNet();
        var forwards = 0;
        var hook = model.register_forward_pre_hook((_, input) =>
        {
            forwards++;
            return input;
        });
        var options = new SelectiveBackpropOptions { Start = 0, End = 1, Keep = 1, Interrupt = 0 };
        var batches = Run(model, x, y, new SelectiveBackpropAlgorithm(options), batchSize: 8);
        batches.Select(b => b.input.shape[0]).Should().Equal(8, 8);
        forwards.Should().Be(2, "one training forward per batch, no scoring forward");
        hook.remove();
    }

    [Fact]
    public void KeptSamplesAreTheHighestLossOnesForTheModelAtThatStep()
    {
        var (x, y) = Images(8, 6);
        using var model = new PoolNet();
        var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
        var recorder = new BatchRecorder();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.01),
            TrainData = new TensorTrainingData(x, y, 8, shuffle: false),
            MaxDuration = Duration.Parse("1ba"),
            Seed = 7,
        };
        options.Algorithms.Add(new SelectiveBackpropAlgorithm(new SelectiveBackpropOptions { Start = 0, End = 1, Keep = 0.25, Sample = false }));
        options.Callbacks.Add(recorder);
        new Trainer(options).Fit();

        using var fresh = new PoolNet();
        fresh.load_state_dict(state);
        using var losses = SelectiveBackprop.PerSampleLosses(fresh, new Batch(x, y), SelectiveBackprop.CrossEntropyPerSample);
        var top = Longs(losses.topk(2).indexes);
        recorder.Batches.Should().ContainSingle();
        Floats(recorder.Batches[0].input).Should().Equal(top.SelectMany(i => Floats(x[i])));
    }

    [Fact]
    public void SampledRunsAreDeterministicForASeed()
    {
        var (x, y) = Images(16, 6);
        using var m1 = new PoolNet();
        using var m2 = new PoolNet();
        m2.load_state_dict(m1.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone()));
        var options = new SelectiveBackpropOptions { Start = 0, End = 1, Interrupt = 0, ScaleFactor = 0.5 };
        var a = Run(m1, x, y, new SelectiveBackpropAlgorithm(options), batchSize: 8, seed: 5);
        var b = Run(m2, x, y, new SelectiveBackpropAlgorithm(options), batchSize: 8, seed: 5);
        a.Select(t => t.input.shape[0]).Should().Equal(4, 4);
        Floats(a[0].input).Should().Equal(Floats(b[0].input));
        Floats(a[1].input).Should().Equal(Floats(b[1].input));
    }

    [Fact]
    public void InvalidOptionsListEveryFailure()
    {
        new SelectiveBackpropOptions().Validate();
        var act = () => new SelectiveBackpropAlgorithm(new SelectiveBackpropOptions { Start = 0.8, End = 0.6, Keep = 0, Interrupt = -1, ScaleFactor = 2, PerSampleLoss = null! });
        act.Should().Throw<OptionsValidationException>().WithMessage(
            "SelectiveBackpropOptions is invalid: Property End: 0.6 is invalid; expected a value >= Start (0.8). " +
            "Property Keep: 0 is invalid; expected a value in (0, 1]. " +
            "Property Interrupt: -1 is invalid; expected an integer >= 0. " +
            "Property ScaleFactor: 2 is invalid; expected a value in (0, 1]. " +
            "Property PerSampleLoss: null is invalid; expected a value (not null).");
    }
}
