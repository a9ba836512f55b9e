using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace Efficient.Samples.Tests;

/// <summary>Runs a built sample as a separate process (a fresh runtime, as a user would).</summary>
internal static class SampleProcess
{
    /// <summary>Runs <c>dotnet samples/NAME/bin/CONFIG/net10.0/NAME.dll ARGS</c> and returns its standard output; throws when it fails.</summary>
    public static string Run(string sample, string[] args, int timeoutMinutes = 5)
    {
        var baseDir = AppContext.BaseDirectory;
        var configuration = baseDir.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(RepositoryRoot(), "samples", sample, "bin", configuration, "net10.0", sample + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"The sample '{sample}' is not built at '{dll}'.", dll);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(timeoutMinutes)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{sample} {string.Join(' ', args)} did not finish within {timeoutMinutes} minutes.");
        }
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{sample} {string.Join(' ', args)} exited with {process.ExitCode}:\n{stdout}\n{stderr}");
        return stdout.ToString();
    }

    /// <summary>The folder holding Efficient.Training.sln above the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Efficient.Training.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (with Efficient.Training.sln) was not found above " + AppContext.BaseDirectory);
    }
}
