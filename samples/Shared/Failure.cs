using System;
using System.IO;

namespace Efficient.Samples;

/// <summary>
/// How a sample reports a failure: one line on standard error (the exception type unless it is an
/// expected kind, and the first line of its message), never an unhandled-exception stack trace.
/// Set <c>EFFICIENT_SAMPLES_TRACE=1</c> to get the whole exception as well. Shared by the samples
/// (linked into each project).
/// </summary>
internal static class Failure
{
    /// <summary>Runs a sample's command line: its exit code, or 1 after the one-line report of any failure.</summary>
    public static int Run(string sample, Func<int> commandLine)
    {
        try
        {
            return commandLine();
        }
        catch (Exception e)
        {
            Report(sample, e, Console.Error);
            return 1;
        }
    }

    /// <summary>Writes the one-line report of <paramref name="error"/> for <paramref name="sample"/> to <paramref name="writer"/>.</summary>
    public static void Report(string sample, Exception error, TextWriter writer)
    {
        var message = error.Message.Split('\n')[0].Trim();
        var expected = error is ArgumentException or InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException;
        writer.WriteLine(expected ? $"{sample}: {message}" : $"{sample}: {error.GetType().Name}: {message}");
        if (Environment.GetEnvironmentVariable("EFFICIENT_SAMPLES_TRACE") == "1") writer.WriteLine(error);
    }
}
