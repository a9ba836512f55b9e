using System;
using System.Globalization;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="CurriculumTrainingData"/> (DeepSpeed <c>curriculum_learning</c> config).</summary>
public sealed class CurriculumOptions : IValidatableOptions
{
    /// <summary>The schedule shape (DeepSpeed <c>schedule_type</c>). Default <see cref="CurriculumPacingKind.FixedLinear"/>.</summary>
    public CurriculumPacingKind Pacing { get; set; } = CurriculumPacingKind.FixedLinear;

    /// <summary>Steps (batches) until the maximum fraction is reached (DeepSpeed <c>total_curriculum_step</c>). Default 1000; range ≥ 1.</summary>
    public long TotalSteps { get; set; } = 1000;

    /// <summary>Fraction of the easiest samples available at step 0 (DeepSpeed <c>min_difficulty</c>). Default 0.1; range (0, 1], ≤ <see cref="MaxFraction"/>.</summary>
    public double MinFraction { get; set; } = 0.1;

    /// <summary>Fraction available once the curriculum ends (DeepSpeed <c>max_difficulty</c>). Default 1; range (0, 1].</summary>
    public double MaxFraction { get; set; } = 1;

    /// <summary>Root degree of <see cref="CurriculumPacingKind.FixedRoot"/> (DeepSpeed <c>root_degree</c>). Default 2; range ≥ 1.</summary>
    public double RootDegree { get; set; } = 2;

    /// <summary>Fractions of <see cref="CurriculumPacingKind.FixedDiscrete"/> (DeepSpeed <c>difficulty</c>); each in (0, 1], one more than <see cref="DiscreteMaxSteps"/>.</summary>
    public double[] DiscreteFractions { get; set; } = { 0.25, 0.5, 1 };

    /// <summary>Step boundaries of <see cref="CurriculumPacingKind.FixedDiscrete"/> (DeepSpeed <c>max_step</c>), increasing.</summary>
    public long[] DiscreteMaxSteps { get; set; } = { 100, 200 };

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(CurriculumOptions));
        v.Require(Enum.IsDefined(Pacing), nameof(Pacing), Pacing, "FixedLinear, FixedRoot or FixedDiscrete");
        v.Require(TotalSteps >= 1, nameof(TotalSteps), TotalSteps, "an integer >= 1");
        v.Require(MinFraction > 0 && MinFraction <= 1, nameof(MinFraction), MinFraction, "a value in (0, 1]");
        v.Require(MaxFraction > 0 && MaxFraction <= 1, nameof(MaxFraction), MaxFraction, "a value in (0, 1]");
        v.Require(!(MinFraction > MaxFraction), nameof(MaxFraction), MaxFraction, $"a value >= MinFraction ({MinFraction.ToString("R", CultureInfo.InvariantCulture)})");
        v.Require(RootDegree >= 1, nameof(RootDegree), RootDegree, "a value >= 1");
        if (Pacing == CurriculumPacingKind.FixedDiscrete)
        {
            if (DiscreteFractions is null || DiscreteMaxSteps is null)
                v.Fail(nameof(DiscreteFractions), "FixedDiscrete pacing needs DiscreteFractions and DiscreteMaxSteps");
            else
            {
                if (DiscreteFractions.Length != DiscreteMaxSteps.Length + 1)
                    v.Fail(nameof(DiscreteFractions), $"{DiscreteFractions.Length} entries is invalid; expected {DiscreteMaxSteps.Length + 1} (one more than DiscreteMaxSteps)");
                if (!DiscreteFractions.All(f => f > 0 && f <= 1))
                    v.Fail(nameof(DiscreteFractions), "[" + string.Join(", ", DiscreteFractions.Select(f => f.ToString("R", CultureInfo.InvariantCulture))) + "] is invalid; expected values in (0, 1]");
                if (!DiscreteMaxSteps.Zip(DiscreteMaxSteps.Skip(1)).All(p => p.First < p.Second))
                    v.Fail(nameof(DiscreteMaxSteps), "[" + string.Join(", ", DiscreteMaxSteps) + "] is invalid; expected strictly increasing steps");
            }
        }
        v.ThrowIfInvalid();
    }
}
