namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="GhostBatchNormAlgorithm"/>.</summary>
public sealed class GhostBatchNormOptions : IValidatableOptions
{
    /// <summary>Samples per ghost batch. At least 1; default 32 (as Composer's <c>ghost_batch_size</c>).</summary>
    public long GhostBatchSize { get; set; } = 32;

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(GhostBatchNormOptions))
            .Require(GhostBatchSize >= 1, nameof(GhostBatchSize), GhostBatchSize, "an integer >= 1")
            .ThrowIfInvalid();
}
