using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.Data.DataTestRuns;

namespace Efficient.Training.Tests.Algorithms.Model;

/// <summary>On a model without qualifying layers each model algorithm changes nothing and says so.</summary>
public class NothingQualifiesTests
{
    [Fact]
    public void EachAlgorithmReportsZeroReplacements()
    {
        var (x, y) = Images(8, 8);
        using var model = new PoolNet();
        var before = model.named_parameters().Select(p => p.name).ToList();
        var options = new TrainerOptions
        {
            Model = model,
            Optimizer = p => optim.SGD(p, learningRate: 0.01),
            TrainData = new TensorTrainingData(x, y, 4, shuffle: false),
            MaxDuration = Duration.Parse("1ba"),
        };
        options.Algorithms.Add(new GhostBatchNormAlgorithm());
        options.Algorithms.Add(new FactorizeAlgorithm()); // PoolNet's Linear(3, 3) is far below MinFeatures = 256
        options.Algorithms.Add(new WeightStandardizationAlgorithm());
        options.Algorithms.Add(new LowPrecisionLayerNormAlgorithm());
        options.Algorithms.Add(new LowPrecisionGroupNormAlgorithm());
        new Trainer(options).Fit().SurgeryReport.Should().Equal(
            "GhostBatchNorm: replaced 0 batch norms with ghost batch size 32",
            "Factorize: factorized 0 convs, 0 linears",
            "WeightStandardization: standardized 0 convs",
            "LowPrecisionLayerNorm: replaced 0 LayerNorms",
            "LowPrecisionGroupNorm: replaced 0 GroupNorms");
        model.named_parameters().Select(p => p.name).Should().Equal(before);
    }
}
