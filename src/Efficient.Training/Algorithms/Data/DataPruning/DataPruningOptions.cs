namespace Efficient.Training.Algorithms;

/// <summary>The per-sample score that ranks samples for <see cref="DataPruning"/>.</summary>
public enum DataPruningScore
{
    /// <summary>Error L2 norm: || softmax(output) - onehot(target) ||.</summary>
    El2n,

    /// <summary>Forgetting events: correct-to-incorrect transitions across the warm-up epochs.</summary>
    Forgetting,
}

/// <summary>Options of data pruning (<see cref="DataPruning"/>, <see cref="PrunedTrainingData"/>, <see cref="DataPruningAlgorithm"/>).</summary>
public sealed class DataPruningOptions : IValidatableOptions
{
    /// <summary>Fraction of the training set (the easiest) that is dropped. Default 0.3; range [0, 1).</summary>
    public double PruneFraction { get; set; } = 0.3;

    /// <summary>Epochs trained on the full set before scoring. Default 1; range ≥ 0 (≥ 2 for <see cref="DataPruningScore.Forgetting"/>).</summary>
    public int WarmupEpochs { get; set; } = 1;

    /// <summary>The score. Default <see cref="DataPruningScore.El2n"/>.</summary>
    public DataPruningScore Score { get; set; } = DataPruningScore.El2n;

    /// <summary>
    /// <see cref="DataPruningAlgorithm"/> only: the warm-up as a duration (e.g. <c>"300ba"</c>, <c>"0.1dur"</c>) instead
    /// of <see cref="WarmupEpochs"/>; pruning happens at the first epoch start at or after it. Default null (use
    /// <see cref="WarmupEpochs"/>).
    /// </summary>
    public Duration? Warmup { get; set; }

    /// <summary>Samples per forward pass when scoring (EL2N). Default 256; range ≥ 1.</summary>
    public int ScoreBatchSize { get; set; } = 256;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(DataPruningOptions));
        v.Require(PruneFraction >= 0 && PruneFraction < 1, nameof(PruneFraction), PruneFraction, "a value in [0, 1)");
        v.Require(System.Enum.IsDefined(Score), nameof(Score), Score, "El2n or Forgetting");
        var minEpochs = Score == DataPruningScore.Forgetting && Warmup is null ? 2 : 0;
        v.Require(WarmupEpochs >= minEpochs, nameof(WarmupEpochs), WarmupEpochs, $"an integer >= {minEpochs}" + (minEpochs > 0 ? " (Forgetting needs two recorded epochs)" : ""));
        v.Require(Warmup is not { Value: <= 0 }, nameof(Warmup), Warmup, "null or a duration > 0");
        v.Require(ScoreBatchSize >= 1, nameof(ScoreBatchSize), ScoreBatchSize, "an integer >= 1");
        v.ThrowIfInvalid();
    }
}
