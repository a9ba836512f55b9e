using System;

namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="CurriculumAlgorithm"/>.</summary>
public sealed class CurriculumAlgorithmOptions : IValidatableOptions
{
    /// <summary>The pacing schedule (DeepSpeed <c>curriculum_learning</c>: schedule type, total steps, min/max). Default: fixed-linear, 1000 steps, 0.1 → 1.</summary>
    public CurriculumOptions Schedule { get; set; } = new();

    /// <summary>
    /// A difficulty per training sample (shape [n], lower = easier, indexed like the data source's samples).
    /// Default null: the difficulty is the per-sample loss of the current model (<see cref="PerSampleLoss"/>),
    /// computed at the first epoch start and every <see cref="RescoreEveryEpochs"/> epochs.
    /// </summary>
    public Tensor? Difficulty { get; set; }

    /// <summary>The per-sample loss for loss-based difficulty: (outputs, targets) → [B]. Default null: cross-entropy.</summary>
    public Func<Tensor, Tensor, Tensor>? PerSampleLoss { get; set; }

    /// <summary>Loss-based difficulty only: re-score every this many epochs with the current model (0 = score once, at the first epoch). Default 0; range ≥ 0.</summary>
    public int RescoreEveryEpochs { get; set; }

    /// <summary>Samples per forward pass when scoring. Default 256; range ≥ 1.</summary>
    public int ScoreBatchSize { get; set; } = 256;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(CurriculumAlgorithmOptions));
        v.NotNull(Schedule, nameof(Schedule));
        if (Schedule is not null)
        {
            try
            {
                Schedule.Validate();
            }
            catch (OptionsValidationException e)
            {
                foreach (var failure in e.Failures) v.Fail(nameof(Schedule), failure);
            }
        }
        if (Difficulty is not null && Difficulty.dim() != 1)
            v.Fail(nameof(Difficulty), $"a tensor of shape [{string.Join(", ", Difficulty.shape)}] is invalid; expected null or one value per sample (shape [n])");
        v.Require(RescoreEveryEpochs >= 0, nameof(RescoreEveryEpochs), RescoreEveryEpochs, "an integer >= 0");
        v.Require(Difficulty is null || RescoreEveryEpochs == 0, nameof(RescoreEveryEpochs), RescoreEveryEpochs, "0 when Difficulty is given (only loss-based difficulty is re-scored)");
        v.Require(ScoreBatchSize >= 1, nameof(ScoreBatchSize), ScoreBatchSize, "an integer >= 1");
        v.ThrowIfInvalid();
    }
}
