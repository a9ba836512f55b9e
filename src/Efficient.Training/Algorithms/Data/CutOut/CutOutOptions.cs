namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="CutOutAlgorithm"/> (Composer's <c>CutOut</c>).</summary>
public sealed class CutOutOptions : IValidatableOptions
{
    /// <summary>Holes per image (Composer <c>num_holes</c>, formerly <c>n_holes</c>). Default 1; range ≥ 1.</summary>
    public int NumHoles { get; set; } = 1;

    /// <summary>
    /// Side of each square hole (Composer <c>length</c>): in (0, 1) a fraction of the shorter image
    /// side, ≥ 1 a number of pixels. Default 0.5; range a finite value &gt; 0.
    /// </summary>
    public double Length { get; set; } = 0.5;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(CutOutOptions));
        v.Require(NumHoles >= 1, nameof(NumHoles), NumHoles, "an integer >= 1");
        v.Positive(Length, nameof(Length));
        v.ThrowIfInvalid();
    }
}
