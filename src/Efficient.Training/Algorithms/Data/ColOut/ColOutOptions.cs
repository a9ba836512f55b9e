namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="ColOutAlgorithm"/> (Composer's <c>ColOut</c> with <c>batch=True</c>).</summary>
public sealed class ColOutOptions : IValidatableOptions
{
    /// <summary>Fraction of rows to drop (Composer <c>p_row</c>). Default 0.15; range [0, 1).</summary>
    public double PRow { get; set; } = 0.15;

    /// <summary>Fraction of columns to drop (Composer <c>p_col</c>). Default 0.15; range [0, 1).</summary>
    public double PCol { get; set; } = 0.15;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(ColOutOptions));
        v.Require(PRow >= 0 && PRow < 1, nameof(PRow), PRow, "a value in [0, 1)");
        v.Require(PCol >= 0 && PCol < 1, nameof(PCol), PCol, "a value in [0, 1)");
        v.ThrowIfInvalid();
    }
}
