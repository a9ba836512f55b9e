using System;
using System.Reflection;

namespace Efficient.Training;

/// <summary>
/// Algorithms keep a copy of the options they were given, so changing the caller's object later
/// (after it was validated) changes nothing in a running algorithm.
/// </summary>
internal static class OptionsSnapshot
{
    private static readonly Func<object, object> Clone = typeof(object)
        .GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!
        .CreateDelegate<Func<object, object>>();

    /// <summary>A shallow copy of <paramref name="options"/> (options hold values, durations, delegates and shared references such as a teacher model).</summary>
    public static T Of<T>(T options) where T : class => (T)Clone(options ?? throw new ArgumentNullException(nameof(options)));
}
