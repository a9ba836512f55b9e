using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// Thrown when an options object is invalid. <see cref="Failures"/> lists every failing property
/// (not only the first), each as <c>Property Name: message</c>.
/// </summary>
public sealed class OptionsValidationException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="optionsName"/> with its failures.</summary>
    public OptionsValidationException(string optionsName, IReadOnlyList<string> failures)
        : base(Format(optionsName, failures))
    {
        OptionsName = optionsName;
        Failures = failures;
    }

    /// <summary>The options type that failed.</summary>
    public string OptionsName { get; }

    /// <summary>Every failure, one line each.</summary>
    public IReadOnlyList<string> Failures { get; }

    private static string Format(string optionsName, IReadOnlyList<string> failures) =>
        $"{optionsName} is invalid: " + string.Join(" ", failures.Select(f => f.EndsWith('.') ? f : f + "."));
}

/// <summary>
/// Collects validation failures for an options object, Polly/Microsoft.Extensions.Options style:
/// every rule runs, and <see cref="ThrowIfInvalid"/> reports them all at once.
/// </summary>
public sealed class OptionsValidator
{
    private readonly string _optionsName;
    private readonly List<string> _failures = new();

    /// <summary>Starts validating an options object called <paramref name="optionsName"/>.</summary>
    public OptionsValidator(string optionsName) => _optionsName = optionsName;

    /// <summary>The failures so far.</summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Records a failure for <paramref name="property"/> unless <paramref name="valid"/>.</summary>
    public OptionsValidator Require(bool valid, string property, object? value, string expectation)
    {
        if (!valid) _failures.Add($"Property {property}: {Show(value)} is invalid; expected {expectation}");
        return this;
    }

    /// <summary>Requires <paramref name="low"/> ≤ value ≤ <paramref name="high"/> (NaN fails).</summary>
    public OptionsValidator InRange(double value, double low, double high, string property) =>
        Require(value >= low && value <= high, property, value, $"a value in [{Show(low)}, {Show(high)}]");

    /// <summary>Requires value &gt; 0 (NaN and infinity fail).</summary>
    public OptionsValidator Positive(double value, string property) =>
        Require(value > 0 && !double.IsInfinity(value), property, value, "a finite value > 0");

    /// <summary>Requires value ≥ 0 (NaN and infinity fail).</summary>
    public OptionsValidator NonNegative(double value, string property) =>
        Require(value >= 0 && !double.IsInfinity(value), property, value, "a finite value >= 0");

    /// <summary>Requires a non-null value.</summary>
    public OptionsValidator NotNull(object? value, string property) =>
        Require(value is not null, property, value, "a value (not null)");

    /// <summary>Adds a free-form failure.</summary>
    public OptionsValidator Fail(string property, string message)
    {
        _failures.Add($"Property {property}: {message}");
        return this;
    }

    /// <summary>Throws an <see cref="OptionsValidationException"/> listing every failure, if any.</summary>
    public void ThrowIfInvalid()
    {
        if (_failures.Count > 0) throw new OptionsValidationException(_optionsName, _failures.ToArray());
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        string s => $"'{s}'",
        IFormattable x => x.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>An options class that can validate itself; validation runs once, when the options are used.</summary>
public interface IValidatableOptions
{
    /// <summary>Throws an <see cref="OptionsValidationException"/> listing every invalid property.</summary>
    void Validate();
}
