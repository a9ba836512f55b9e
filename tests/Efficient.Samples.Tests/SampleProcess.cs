using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace Efficient.Samples.Tests;

/// <summary>Runs a built sample as a separate process (a fresh runtime, as a user would).</summary>
internal static class SampleProcess
{
    /// <summary>Runs <c>dotnet samples/NAME/bin/CONFIG/net10.0/NAME.dll ARGS</c> and returns its standard output; throws when it fails.</summary>
    public static string Run(string sample, string[] args, int timeoutMinutes = 5) => RunBuilt(Path.Combine("samples", sample), sample, args, timeoutMinutes);

    /// <summary>Runs <c>dotnet bench/Efficient.Training.Bench/bin/CONFIG/net10.0/Efficient.Training.Bench.dll ARGS</c> and returns its standard output.</summary>
    public static string RunBench(string[] args, int timeoutMinutes = 5) => RunBuilt(Path.Combine("bench", "Efficient.Training.Bench"), "Efficient.Training.Bench", args, timeoutMinutes);

    private static string RunBuilt(string folder, string assembly, string[] args, int timeoutMinutes)
    {
        var baseDir = AppContext.BaseDirectory;
        var configuration = baseDir.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(RepositoryRoot(), folder, "bin", configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"'{assembly}' is not built at '{dll}'.", dll);
        return Command("dotnet", new[] { dll }.Concat(args).ToArray(), Environment.CurrentDirectory, timeoutMinutes);
    }

    /// <summary>Runs a built sample that is expected to fail: its exit code, standard output and standard error.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunExpectingFailure(string sample, string[] args)
    {
        try
        {
            return (0, Run(sample, args, timeoutMinutes: 2), "");
        }
        catch (InvalidOperationException e) when (e.Data["exitCode"] is int code)
        {
            return (code, (string)e.Data["stdout"]!, (string)e.Data["stderr"]!);
        }
    }

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/> in <paramref name="workingDirectory"/> and
    /// returns its standard output; throws when it fails or outlives <paramref name="timeoutMinutes"/>.
    /// A child <c>dotnet</c> build does not join the test host's MSBuild node or inherit its settings.
    /// </summary>
    public static string Command(string file, string[] args, string workingDirectory, int timeoutMinutes = 8)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["MSBUILDNOINPROCNODE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment.Remove("MSBuildExtensionsPath");
        info.Environment.Remove("MSBuildSDKsPath");
        info.Environment.Remove("MSBUILD_EXE_PATH");
        var command = $"{file} {string.Join(' ', args)}";
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
            throw new TimeoutException($"'{command}' did not finish within {timeoutMinutes} minutes.");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            var failed = new InvalidOperationException($"'{command}' in {workingDirectory} exited with {process.ExitCode}:\n{stdout}\n{stderr}");
            failed.Data["exitCode"] = process.ExitCode;
            failed.Data["stdout"] = stdout.ToString();
            failed.Data["stderr"] = stderr.ToString();
            throw failed;
        }
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
