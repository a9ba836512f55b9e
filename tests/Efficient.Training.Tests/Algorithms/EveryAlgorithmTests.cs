using Efficient.Training.Algorithms;
using System.Collections.Generic;
using System.Reflection;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms;

/// <summary>
/// Discovers every public algorithm of the library by reflection and trains each for two batches
/// on a tiny model, so no technique can be added without running inside the Trainer.
/// </summary>
public class EveryAlgorithmTests
{
    /// <summary>Algorithms that train on token batches ([B, S] ids with [B, S] targets).</summary>
    private static readonly HashSet<string> SequenceAlgorithms = new() { "SeqLengthWarmupAlgorithm", "AlibiAlgorithm", "GatedLinearUnitsAlgorithm", "ProgressiveLayerDropAlgorithm" };

    /// <summary>Sequence algorithms that change a transformer encoder: they train a small <see cref="Efficient.Training.Models.BertEncoder"/>.</summary>
    private static readonly HashSet<string> TransformerAlgorithms = new() { "AlibiAlgorithm", "GatedLinearUnitsAlgorithm", "ProgressiveLayerDropAlgorithm" };

    public static IEnumerable<object[]> AlgorithmTypes() =>
        typeof(Trainer).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && typeof(IAlgorithm).IsAssignableFrom(t))
            .OrderBy(t => t.Name)
            .Select(t => new object[] { t.Name });

    [Fact]
    public void DiscoversTheTechniques()
    {
        AlgorithmTypes().Select(a => (string)a[0]).Should().Contain(new[]
        {
            "AlibiAlgorithm",
            "AugMixAlgorithm",
            "BatchSizeRampUpAlgorithm",
            "BlurPoolAlgorithm",
            "ChannelsLastAlgorithm",
            "ColOutAlgorithm",
            "CurriculumAlgorithm",
            "CutMixAlgorithm",
            "CutOutAlgorithm",
            "DataEchoingAlgorithm",
            "DataPruningAlgorithm",
            "EmaAlgorithm",
            "FactorizeAlgorithm",
            "GatedLinearUnitsAlgorithm",
            "GhostBatchNormAlgorithm",
            "GradientClippingAlgorithm",
            "GyroDropoutAlgorithm",
            "KnowledgeDistillationAlgorithm",
            "LabelSmoothingAlgorithm",
            "LarsAlgorithm",
            "LayerwiseLrDecayAlgorithm",
            "LayerFreezingAlgorithm",
            "LookaheadAlgorithm",
            "LowPrecisionGroupNormAlgorithm",
            "LowPrecisionLayerNormAlgorithm",
            "MagnitudePruningAlgorithm",
            "MixUpAlgorithm",
            "ModelGrowthAlgorithm",
            "ProgressiveLayerDropAlgorithm",
            "ProgressiveResizingAlgorithm",
            "QuantizationAwareTrainingAlgorithm",
            "RandAugmentAlgorithm",
            "RigLAlgorithm",
            "SamAlgorithm",
            "SelectiveBackpropAlgorithm",
            "SeqLengthWarmupAlgorithm",
            "SqueezeExciteAlgorithm",
            "StochasticDepthAlgorithm",
            "SwaAlgorithm",
            "WeightStandardizationAlgorithm",
        });
    }

    [Theory]
    [MemberData(nameof(AlgorithmTypes))]
    public void TrainsTwoBatches(string typeName)
    {
        var type = typeof(Trainer).Assembly.GetTypes().Single(t => t.Name == typeName);
        var sequence = SequenceAlgorithms.Contains(typeName);
        // Model-block algorithms get a small ResNet (strided convs, residual blocks) so their surgery runs;
        // the transformer techniques a small BertEncoder.
        nn.Module<Tensor, Tensor> model = TransformerAlgorithms.Contains(typeName) ? Model.TransformerRuns.SmallBert(preLayerNorm: true)
            : sequence ? new TokenNet()
            : typeof(IModelAlgorithm).IsAssignableFrom(type) ? new Efficient.Training.Models.ResNet(inChannels: 3, classes: 3, width: 16)
            : new PoolNet();
        var algorithm = Create(type, sequence);
        Tensor x, y;
        if (sequence)
        {
            x = randint(0, 11, new long[] { 8, 16 });
            y = randint(0, 11, new long[] { 8, 16 });
        }
        else (x, y) = Images(8, 8);

        var batches = Run(model, x, y, algorithm, batchSize: 4, tokensOf: sequence ? t => t.numel() : null);
        batches.Should().HaveCount(2, $"{typeName} must let the Trainer run two batches");
        model.parameters().Should().OnlyContain(p => p.isfinite().all().item<bool>(), $"{typeName} must keep the weights finite");
        model.Dispose();
    }

    public static IEnumerable<object[]> ModelAlgorithmTypes() =>
        AlgorithmTypes().Where(a => typeof(IModelAlgorithm).IsAssignableFrom(typeof(Trainer).Assembly.GetTypes().Single(t => t.Name == (string)a[0])));

    [Theory]
    [MemberData(nameof(ModelAlgorithmTypes))]
    public void ModelSurgeryReportsZeroChangesWhenNothingQualifies(string typeName)
    {
        var type = typeof(Trainer).Assembly.GetTypes().Single(t => t.Name == typeName);
        var algorithm = (IModelAlgorithm)Create(type, sequence: false);
        using var model = new PoolNet();
        var surgery = new ModelSurgery(model) { CurrentAlgorithm = algorithm.Name };
        algorithm.Apply(model, surgery);
        // "BlurPool: replaced 0 strided convs, 0 max-pools", "MagnitudePruning: no prunable weights", ...
        surgery.Report.Should().ContainSingle().Which.Should().StartWith($"{algorithm.Name}: ").And.MatchRegex(@"\b(0|no)\b");
        model.named_modules().Select(m => m.name).Should().Equal("fc");
    }

    private static IAlgorithm Create(Type type, bool sequence)
    {
        // Algorithms whose options need a value without a default.
        if (type.Name == "KnowledgeDistillationAlgorithm")
        {
            var teacher = new PoolNet();
            return (IAlgorithm)Activator.CreateInstance(type, new KnowledgeDistillationOptions { Teacher = teacher })!;
        }
        if (type.Name == "GradientClippingAlgorithm")
            return new GradientClippingAlgorithm(new GradientClippingOptions { ClippingType = ClippingType.Adaptive, ClippingThreshold = 0.01 });
        var ctor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var args = ctor.GetParameters().Select(p => p.HasDefaultValue ? p.DefaultValue : Activator.CreateInstance(p.ParameterType)).ToArray();
        return (IAlgorithm)ctor.Invoke(args);
    }
}

public class AlgorithmOptionsAreCopiedTests
{
    [Fact]
    public void ChangingTheCallersOptionsAfterConstructionChangesNothing()
    {
        var sam = new SamOptions { Interval = 2 };
        var algorithm = new SamAlgorithm(sam);
        sam.Interval = 0;   // invalid now; the algorithm keeps its validated copy
        var run = AlgorithmRuns.Run(new IAlgorithm[] { algorithm });
        run.Weights.Should().NotBeEmpty("with the caller's Interval 0 the step would divide by zero");
    }
}
