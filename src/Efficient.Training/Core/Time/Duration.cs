using System;
using System.Globalization;

namespace Efficient.Training;

/// <summary>
/// An amount of training time: a number and a <see cref="TimeUnit"/>, written as in Composer:
/// <c>"10ep"</c>, <c>"500ba"</c>, <c>"1e6sp"</c>, <c>"2e7tok"</c>, <c>"0.3dur"</c>.
/// Counts of epochs, batches, samples and tokens are whole numbers; a <c>dur</c> value is a fraction in [0, 1].
/// </summary>
[System.ComponentModel.TypeConverter(typeof(DurationTypeConverter))]
public readonly record struct Duration
{
    /// <summary>Creates a duration, validating the value for the unit.</summary>
    public Duration(double value, TimeUnit unit)
    {
        var error = Validate(value, unit);
        if (error is not null) throw new ArgumentOutOfRangeException(nameof(value), value, error);
        Value = value;
        Unit = unit;
    }

    private static string Plural(TimeUnit unit) => unit switch
    {
        TimeUnit.Epoch => "epochs",
        TimeUnit.Batch => "batches",
        TimeUnit.Sample => "samples",
        TimeUnit.Token => "tokens",
        _ => "fractions of the run",
    };

    private static string? Validate(double value, TimeUnit unit)
    {
        if (!Enum.IsDefined(unit)) return $"Unknown time unit {(int)unit}.";
        var text = value.ToString(CultureInfo.InvariantCulture) + Suffix(unit);
        if (double.IsNaN(value) || double.IsInfinity(value) || value < 0)
            return $"A duration must be a finite, non-negative number; got {text}.";
        if (unit == TimeUnit.Duration && value > 1)
            return $"A 'dur' duration is a fraction of the run and must be in [0, 1]; got {text}.";
        if (unit != TimeUnit.Duration && value != Math.Floor(value))
            return $"A duration in {Plural(unit)} must be a whole number; got {text}.";
        return null;
    }

    /// <summary>The amount.</summary>
    public double Value { get; }

    /// <summary>The unit.</summary>
    public TimeUnit Unit { get; }

    /// <summary>The amount as a whole count (not for <see cref="TimeUnit.Duration"/>).</summary>
    public long Count => Unit == TimeUnit.Duration
        ? throw new InvalidOperationException($"{this} is a fraction of the run, not a count.")
        : (long)Value;

    /// <summary><paramref name="n"/> epochs.</summary>
    public static Duration Epochs(long n) => new(n, TimeUnit.Epoch);
    /// <summary><paramref name="n"/> batches.</summary>
    public static Duration Batches(long n) => new(n, TimeUnit.Batch);
    /// <summary><paramref name="n"/> samples.</summary>
    public static Duration Samples(long n) => new(n, TimeUnit.Sample);
    /// <summary><paramref name="n"/> tokens.</summary>
    public static Duration Tokens(long n) => new(n, TimeUnit.Token);
    /// <summary>A fraction of the run.</summary>
    public static Duration Fraction(double f) => new(f, TimeUnit.Duration);

    /// <summary>Parses <c>"10ep"</c>, <c>"500ba"</c>, <c>"1e6sp"</c>, <c>"2e7tok"</c> or <c>"0.3dur"</c>.</summary>
    /// <exception cref="FormatException">The text is not a number followed by a known unit, or the value does not fit the unit.</exception>
    public static Duration Parse(string text)
    {
        if (TryParse(text, out var result, out var error)) return result;
        throw new FormatException(error);
    }

    /// <summary>Parses a duration; returns false (and no exception) when the text is invalid.</summary>
    public static bool TryParse(string? text, out Duration result) => TryParse(text, out result, out _);

    private static bool TryParse(string? text, out Duration result, out string error)
    {
        result = default;
        const string expected = "expected a number followed by ep, ba, sp, tok or dur, e.g. '10ep', '500ba', '1e6sp', '2e7tok', '0.5dur'";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"Invalid duration '{text}': {expected}.";
            return false;
        }
        var t = text.Trim();
        (string suffix, TimeUnit unit)[] units = { ("tok", TimeUnit.Token), ("dur", TimeUnit.Duration), ("ep", TimeUnit.Epoch), ("ba", TimeUnit.Batch), ("sp", TimeUnit.Sample) };
        foreach (var (suffix, unit) in units)
        {
            if (!t.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var number = t[..^suffix.Length];
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                error = $"Invalid duration '{text}': '{number}' is not a number; {expected}.";
                return false;
            }
            var invalid = Validate(value, unit);
            if (invalid is not null)
            {
                error = $"Invalid duration '{text}': {invalid}";
                return false;
            }
            result = new Duration(value, unit);
            error = "";
            return true;
        }
        error = $"Invalid duration '{text}': unknown or missing unit; {expected}.";
        return false;
    }

    /// <summary>Parses a duration.</summary>
    public static implicit operator Duration(string text) => Parse(text);

    internal static string Suffix(TimeUnit unit) => unit switch
    {
        TimeUnit.Epoch => "ep",
        TimeUnit.Batch => "ba",
        TimeUnit.Sample => "sp",
        TimeUnit.Token => "tok",
        _ => "dur",
    };

    /// <summary>The canonical text, e.g. <c>10ep</c> or <c>0.3dur</c>.</summary>
    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture) + Suffix(Unit);
}
