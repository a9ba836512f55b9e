using System;

namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="EmaAlgorithm"/> (names and defaults as Composer's EMA).</summary>
public sealed class EmaOptions : IValidatableOptions
{
    /// <summary>
    /// The half-life of the average, in batches (<c>ba</c>) or epochs (<c>ep</c>): the smoothing is
    /// <c>0.5^(UpdateInterval / HalfLife)</c>. Default <c>"1000ba"</c>. Set it to null to give
    /// <see cref="Smoothing"/> instead (exactly one of the two).
    /// </summary>
    public Duration? HalfLife { get; set; } = Duration.Parse("1000ba");

    /// <summary>The smoothing s per update, in [0, 1], instead of <see cref="HalfLife"/>. Default null.</summary>
    public double? Smoothing { get; set; }

    /// <summary>
    /// How often the average is updated, in <c>ba</c> or <c>ep</c> (the half-life's unit). Default null:
    /// one unit of the half-life (<c>"1ba"</c> for <c>"1000ba"</c>), or <c>"1ba"</c> with <see cref="Smoothing"/>.
    /// </summary>
    public Duration? UpdateInterval { get; set; }

    /// <summary>When averaging starts (any unit; <c>dur</c> is a fraction of the run). Default <c>"0dur"</c>.</summary>
    public Duration EmaStart { get; set; } = Duration.Parse("0dur");

    /// <summary>The update interval after defaults are applied.</summary>
    internal Duration ResolvedInterval => UpdateInterval ?? (HalfLife is { } h ? new Duration(1, h.Unit) : Duration.Batches(1));

    /// <summary>The smoothing after defaults are applied.</summary>
    internal double ResolvedSmoothing => Smoothing ?? Ema.SmoothingFor(HalfLife!.Value, ResolvedInterval);

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(EmaOptions));
        if (HalfLife is null && Smoothing is null)
            v.Fail(nameof(HalfLife), "null is invalid together with Smoothing = null; expected exactly one of HalfLife (e.g. '1000ba') and Smoothing");
        if (HalfLife is not null && Smoothing is not null)
            v.Fail(nameof(Smoothing), $"{Smoothing.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} is invalid together with HalfLife = {HalfLife}; expected exactly one of HalfLife and Smoothing (set HalfLife to null)");
        if (HalfLife is { } h)
            v.Require(h.Unit is TimeUnit.Batch or TimeUnit.Epoch && h.Value > 0, nameof(HalfLife), h.ToString(), "a positive number of batches or epochs, e.g. '1000ba'");
        if (Smoothing is { } s) v.InRange(s, 0, 1, nameof(Smoothing));
        if (UpdateInterval is { } u)
        {
            v.Require(u.Unit is TimeUnit.Batch or TimeUnit.Epoch && u.Value >= 1, nameof(UpdateInterval), u.ToString(), "a positive number of batches or epochs, e.g. '1ba'");
            if (HalfLife is { } half && half.Unit != u.Unit)
                v.Fail(nameof(UpdateInterval), $"'{u}' is invalid with HalfLife = '{half}'; expected the half-life's unit ('{Duration.Suffix(half.Unit)}')");
        }
        v.ThrowIfInvalid();
    }
}
