using System;
using System.Globalization;

namespace Efficient.Torch.Optim;

/// <summary>
/// Argument checks shared by the optimizers and LR schedulers. Every failure is an
/// <see cref="ArgumentException"/> whose <see cref="ArgumentException.ParamName"/> is the option's
/// name and whose message states the value received and the valid range.
/// </summary>
internal static class OptimArgs
{
    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static ArgumentException Invalid(string name, string what, string value, string expected, string? where = null)
        => new($"Invalid {what}{where}: {name} = {value}; expected {expected}.", name);

    /// <summary>value in [0, +inf).</summary>
    internal static void NonNegative(double value, string name, string what, string? where = null)
    {
        if (!(value >= 0)) throw Invalid(name, what, Format(value), "a value in [0, +inf)", where);
    }

    /// <summary>value in (0, +inf).</summary>
    internal static void Positive(double value, string name, string what, string? where = null)
    {
        if (!(value > 0) || double.IsPositiveInfinity(value)) throw Invalid(name, what, Format(value), "a finite value in (0, +inf)", where);
    }

    /// <summary>value in [0, 1).</summary>
    internal static void UnitIntervalOpen(double value, string name, string what, string? where = null)
    {
        if (!(value >= 0 && value < 1)) throw Invalid(name, what, Format(value), "a value in [0, 1)", where);
    }

    /// <summary>value in [0, 1].</summary>
    internal static void UnitIntervalClosed(double value, string name, string what, string? where = null)
    {
        if (!(value >= 0 && value <= 1)) throw Invalid(name, what, Format(value), "a value in [0, 1]", where);
    }

    /// <summary>integer value in [1, +inf).</summary>
    internal static void AtLeastOne(long value, string name, string what)
    {
        if (value < 1) throw Invalid(name, what, value.ToString(CultureInfo.InvariantCulture), "an integer in [1, +inf)");
    }

    /// <summary>A type's name with its declaring type (<c>Adam.Options</c>).</summary>
    internal static string TypeName(object? o)
    {
        if (o is null) return "null";
        var t = o.GetType();
        return t.DeclaringType is null ? t.Name : $"{t.DeclaringType.Name}.{t.Name}";
    }

    internal static string GroupSuffix(int groupIndex) => groupIndex < 0 ? "" : $" in parameter group {groupIndex}";
}
