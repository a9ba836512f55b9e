using System;
using System.Linq;
using System.Globalization;

namespace Efficient.Training.Optimizers;

/// <summary>
/// Argument checks of the optimizers in this folder. Every failure is an <see cref="ArgumentException"/>
/// whose <see cref="ArgumentException.ParamName"/> is the option's name and whose message states the
/// value received and the valid range, in the binding's wording
/// (<c>Invalid learning rate in parameter group 1: lr = -1; expected a value in [0, +inf).</c>).
/// </summary>
internal static class OptimizerArgs
{
    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static string Where(int group) => group < 0 ? "" : $" in parameter group {group}";

    internal static ArgumentException Invalid(string name, string what, string value, string expected, int group)
        => new($"Invalid {what}{Where(group)}: {name} = {value}; expected {expected}.", name);

    internal static void NonNegative(double value, string name, string what, int group)
    {
        if (!(value >= 0) || double.IsPositiveInfinity(value)) throw Invalid(name, what, Format(value), "a finite value in [0, +inf)", group);
    }

    internal static void Positive(double value, string name, string what, int group)
    {
        if (!(value > 0) || double.IsPositiveInfinity(value)) throw Invalid(name, what, Format(value), "a finite value in (0, +inf)", group);
    }

    internal static void UnitOpen(double value, string name, string what, int group)
    {
        if (!(value >= 0 && value < 1)) throw Invalid(name, what, Format(value), "a value in [0, 1)", group);
    }

    internal static void Finite(double value, string name, string what, int group)
    {
        if (!double.IsFinite(value)) throw Invalid(name, what, Format(value), "a finite value", group);
    }

    internal static string TypeName(object? o)
    {
        if (o is null) return "null";
        var t = o.GetType();
        return t.DeclaringType is null ? t.Name : $"{t.DeclaringType.Name}.{t.Name}";
    }
}
