using System;

namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="SwaAlgorithm"/> (names and defaults as Composer's SWA).</summary>
public sealed class SwaOptions : IValidatableOptions
{
    /// <summary>When averaging starts (any unit; <c>dur</c> is a fraction of the run). Default <c>"0.7dur"</c>.</summary>
    public Duration SwaStart { get; set; } = Duration.Parse("0.7dur");

    /// <summary>
    /// When averaging ends and the model is replaced by the average (with recomputed BatchNorm
    /// statistics); training continues from the average after it. Checked at update times, and at
    /// the end of a run that reached its maximum duration. Default <c>"0.97dur"</c>.
    /// </summary>
    public Duration SwaEnd { get; set; } = Duration.Parse("0.97dur");

    /// <summary>How often the model is added to the average, in <c>ba</c> or <c>ep</c> (≥ 1). Default <c>"1ep"</c>.</summary>
    public Duration UpdateInterval { get; set; } = Duration.Parse("1ep");

    /// <summary>
    /// Whether the learning rate follows the SWA schedule while averaging (it then replaces the
    /// trainer's schedulers, as Composer's SWALR does). Default false (the trainer's schedule continues).
    /// </summary>
    public bool ScheduleSwaLr { get; set; }

    /// <summary>How the learning rate moves to <see cref="SwaLr"/>. Default <see cref="SwaAnnealStrategy.Linear"/>.</summary>
    public SwaAnnealStrategy AnnealStrategy { get; set; } = SwaAnnealStrategy.Linear;

    /// <summary>Updates (SWA scheduler steps) to reach <see cref="SwaLr"/>; ≥ 0, default 10.</summary>
    public int AnnealSteps { get; set; } = 10;

    /// <summary>The SWA learning rate (≥ 0), required when <see cref="ScheduleSwaLr"/> is set. Default null.</summary>
    public double? SwaLr { get; set; }

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(SwaOptions));
        v.Require(UpdateInterval.Unit is TimeUnit.Batch or TimeUnit.Epoch && UpdateInterval.Value >= 1, nameof(UpdateInterval), UpdateInterval.ToString(), "a positive number of batches or epochs, e.g. '1ep'");
        if (SwaStart.Unit == SwaEnd.Unit)
            v.Require(SwaEnd.Value >= SwaStart.Value, nameof(SwaEnd), SwaEnd.ToString(), $"a time at or after SwaStart ('{SwaStart}')");
        v.Require(AnnealSteps >= 0, nameof(AnnealSteps), AnnealSteps, "a value >= 0");
        v.Require(Enum.IsDefined(AnnealStrategy), nameof(AnnealStrategy), AnnealStrategy, "Linear or Cos");
        if (SwaLr is { } lr) v.NonNegative(lr, nameof(SwaLr));
        else if (ScheduleSwaLr) v.Fail(nameof(SwaLr), "null is invalid with ScheduleSwaLr = true; expected the learning rate to anneal to (a finite value >= 0)");
        v.ThrowIfInvalid();
    }
}
