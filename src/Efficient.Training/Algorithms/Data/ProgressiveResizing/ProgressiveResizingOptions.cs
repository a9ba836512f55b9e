namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="ProgressiveResizingAlgorithm"/> (Composer's <c>ProgressiveResizing</c>).</summary>
public sealed class ProgressiveResizingOptions : IValidatableOptions
{
    /// <summary>Resize or crop (Composer <c>mode</c>). Default <see cref="ResizeMode.Resize"/>.</summary>
    public ResizeMode Mode { get; set; } = ResizeMode.Resize;

    /// <summary>Scale at the start of training (Composer <c>initial_scale</c>). Default 0.5; range (0, 1].</summary>
    public double InitialScale { get; set; } = 0.5;

    /// <summary>Fraction of training spent at <see cref="InitialScale"/> (Composer <c>delay_fraction</c>). Default 0.5; range [0, 1].</summary>
    public double DelayFraction { get; set; } = 0.5;

    /// <summary>Fraction of training at full size, at the end (Composer <c>finetune_fraction</c>). Default 0.2; range [0, 1], with <see cref="DelayFraction"/> + <see cref="FinetuneFraction"/> ≤ 1.</summary>
    public double FinetuneFraction { get; set; } = 0.2;

    /// <summary>How <see cref="ResizeMode.Resize"/> interpolates. Default <see cref="ResizeInterpolation.Nearest"/> (Composer's).</summary>
    public ResizeInterpolation Interpolation { get; set; } = ResizeInterpolation.Nearest;

    /// <summary>Whether dense targets with the input's spatial size are resized or cropped too (Composer <c>resize_targets</c>). Default false.</summary>
    public bool ResizeTargets { get; set; }

    /// <summary>Image sides are multiples of this many pixels (Composer <c>size_increment</c>). Default 4; range ≥ 1.</summary>
    public int SizeIncrement { get; set; } = 4;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(ProgressiveResizingOptions));
        v.Require(System.Enum.IsDefined(Mode), nameof(Mode), Mode, "Resize or Crop");
        v.Require(InitialScale > 0 && InitialScale <= 1, nameof(InitialScale), InitialScale, "a value in (0, 1]");
        v.InRange(DelayFraction, 0, 1, nameof(DelayFraction));
        v.InRange(FinetuneFraction, 0, 1, nameof(FinetuneFraction));
        v.Require(!(DelayFraction + FinetuneFraction > 1), nameof(FinetuneFraction), FinetuneFraction, $"DelayFraction + FinetuneFraction <= 1 (DelayFraction is {DelayFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        v.Require(SizeIncrement >= 1, nameof(SizeIncrement), SizeIncrement, "an integer >= 1");
        v.ThrowIfInvalid();
    }
}
