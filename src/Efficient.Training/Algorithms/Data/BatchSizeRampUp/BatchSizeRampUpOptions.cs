using System;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>How the batch size grows under <see cref="BatchSizeRampUp"/>.</summary>
public enum BatchSizeSchedule
{
    /// <summary>
    /// A linear ramp (GPT-3; Megatron-LM/DeepSpeed <c>--rampup-batch-size start increment samples</c>): from
    /// <see cref="BatchSizeRampUpOptions.StartBatchSize"/> up to <see cref="BatchSizeRampUpOptions.FullBatchSize"/> in steps
    /// of <see cref="BatchSizeRampUpOptions.Increment"/>, evenly spread over <see cref="BatchSizeRampUpOptions.RampDuration"/>.
    /// </summary>
    Linear,

    /// <summary>
    /// Smith et al.: start at <see cref="BatchSizeRampUpOptions.StartBatchSize"/> and multiply the batch size by
    /// <see cref="BatchSizeRampUpOptions.GrowthFactor"/> at each of <see cref="BatchSizeRampUpOptions.Milestones"/> (where a
    /// step schedule would decay the learning rate), up to <see cref="BatchSizeRampUpOptions.FullBatchSize"/>.
    /// </summary>
    Milestones,
}

/// <summary>How the learning rate follows the batch size under <see cref="BatchSizeRampUp"/>.</summary>
public enum BatchSizeLearningRate
{
    /// <summary>The learning rate the optimizer and schedulers set is used as it is (Smith et al.: grow the batch instead of decaying the rate).</summary>
    Fixed,

    /// <summary>
    /// Linear scaling (Goyal et al.): each step's learning rate is multiplied by <c>batch size / reference batch size</c>,
    /// the reference being the full batch size (linear ramp) or the start batch size (milestones).
    /// </summary>
    Linear,
}

/// <summary>Options of batch-size ramp-up (<see cref="BatchSizeRampUp"/>, <see cref="BatchSizeRampUpAlgorithm"/>).</summary>
public sealed class BatchSizeRampUpOptions : IValidatableOptions
{
    /// <summary>The schedule. Default <see cref="BatchSizeSchedule.Linear"/>.</summary>
    public BatchSizeSchedule Schedule { get; set; } = BatchSizeSchedule.Linear;

    /// <summary>
    /// The batch size of the first steps. Default null: a linear ramp starts at max(1, full / 8); milestones start at the
    /// training data's batch size. Range ≥ 1 (and ≤ <see cref="FullBatchSize"/> when both are set).
    /// </summary>
    public int? StartBatchSize { get; set; }

    /// <summary>
    /// The largest batch size. Default null: a linear ramp ends at the training data's batch size; milestones grow without
    /// a cap (an epoch's last batch holds what is left). Range ≥ 1.
    /// </summary>
    public int? FullBatchSize { get; set; }

    /// <summary>
    /// Linear ramp: the batch size grows in steps of this many samples (Megatron-LM's <c>batch_size_increment</c>); the ramp
    /// has ⌈(full − start) / increment⌉ steps, the last capped at the full size. Default null: the start batch size.
    /// Range ≥ 1.
    /// </summary>
    public int? Increment { get; set; }

    /// <summary>
    /// Linear ramp: how long the ramp lasts, in <c>sp</c> (Megatron-LM's <c>rampup_samples</c>), <c>ba</c>, <c>ep</c> or
    /// <c>dur</c> (a fraction of the maximum duration). Default <c>"0.1dur"</c>; value &gt; 0 (≤ 1 in <c>dur</c>); not <c>tok</c>.
    /// </summary>
    public Duration RampDuration { get; set; } = Duration.Parse("0.1dur");

    /// <summary>Milestones: where the batch size grows, in <c>sp</c>, <c>ba</c>, <c>ep</c> or <c>dur</c>. Default none; each &gt; 0; not <c>tok</c>.</summary>
    public Duration[] Milestones { get; set; } = Array.Empty<Duration>();

    /// <summary>Milestones: the factor the batch size grows by at each milestone (Smith et al. use 5). Default 2; range (1, 1024].</summary>
    public double GrowthFactor { get; set; } = 2;

    /// <summary>How the learning rate follows the batch size. Default <see cref="BatchSizeLearningRate.Fixed"/>.</summary>
    public BatchSizeLearningRate LearningRate { get; set; } = BatchSizeLearningRate.Fixed;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(BatchSizeRampUpOptions));
        v.Require(Enum.IsDefined(Schedule), nameof(Schedule), Schedule, "Linear or Milestones");
        v.Require(StartBatchSize is null or >= 1, nameof(StartBatchSize), StartBatchSize, "null or an integer >= 1");
        v.Require(FullBatchSize is null or >= 1, nameof(FullBatchSize), FullBatchSize, "null or an integer >= 1");
        if (StartBatchSize is >= 1 && FullBatchSize is >= 1 && StartBatchSize > FullBatchSize)
            v.Fail(nameof(StartBatchSize), $"{StartBatchSize} is invalid; expected a value <= FullBatchSize ({FullBatchSize})");
        v.Require(Increment is null or >= 1, nameof(Increment), Increment, "null or an integer >= 1");
        if (Schedule == BatchSizeSchedule.Linear)
            v.Require(UsableDuration(RampDuration), nameof(RampDuration), RampDuration, "a duration > 0 in sp, ba, ep or dur (<= 1dur)");
        if (Milestones is null) v.Fail(nameof(Milestones), "null is invalid; expected an array of durations");
        else
        {
            if (Milestones.Any(m => !UsableDuration(m)))
                v.Fail(nameof(Milestones), "[" + string.Join(", ", Milestones.Select(m => m.ToString())) + "] is invalid; expected durations > 0 in sp, ba, ep or dur (<= 1dur)");
            if (Schedule == BatchSizeSchedule.Milestones && Milestones.Length == 0)
                v.Fail(nameof(Milestones), "an empty array is invalid; expected at least one milestone for the Milestones schedule");
        }
        v.Require(GrowthFactor > 1 && GrowthFactor <= 1024, nameof(GrowthFactor), GrowthFactor, "a value in (1, 1024]");
        v.Require(Enum.IsDefined(LearningRate), nameof(LearningRate), LearningRate, "Fixed or Linear");
        v.ThrowIfInvalid();
    }

    private static bool UsableDuration(Duration d) =>
        d.Unit != TimeUnit.Token && d.Value > 0 && !double.IsInfinity(d.Value) && (d.Unit != TimeUnit.Duration || d.Value <= 1);
}
