using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;

namespace ResNetSample;

/// <summary>
/// <c>--nproc N</c>: runs N ranks of this same program with Open MPI's <c>mpirun</c> (on this
/// machine, or on the machines of <c>--hostfile</c>) and returns mpirun's exit code. mpirun stops
/// every rank as soon as one fails; each rank also stops when mpirun itself is killed
/// (<see cref="Efficient.Training.ProcessGroup"/>). See docs/distributed.md.
/// </summary>
public static class Launcher
{
    /// <summary>The ranks' command line: the parent's without <c>--nproc</c>/<c>--hostfile</c>, with threads split between the local ranks unless given.</summary>
    public static IReadOnlyList<string> ChildArguments(string[] args, SampleOptions options, int nproc)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--nproc" or "--hostfile") { i++; continue; }
            result.Add(args[i]);
        }
        if (!options.ThreadsGiven)
        {
            result.Add("--threads");
            result.Add(Math.Max(1, Environment.ProcessorCount / nproc).ToString(CultureInfo.InvariantCulture));
        }
        return result;
    }

    /// <summary>
    /// The mpirun command line for <paramref name="nproc"/> ranks of <paramref name="program"/>:
    /// no core binding (the ranks use several threads each, and small machines have few cores),
    /// tagged output, and the environment the ranks need exported to other machines.
    /// </summary>
    public static IReadOnlyList<string> MpirunArguments(int nproc, string? hostfile, IReadOnlyList<string> program)
    {
        var result = new List<string> { "-np", nproc.ToString(CultureInfo.InvariantCulture), "--bind-to", "none", "--tag-output" };
        if (hostfile is null) result.Add("--oversubscribe"); // more ranks than cores on one machine is allowed (slow, but works)
        else result.AddRange(new[] { "--hostfile", hostfile });
        foreach (var name in new[] { "DOTNET_ROOT", "PATH", "LD_LIBRARY_PATH", "TERM" })
            if (Environment.GetEnvironmentVariable(name) is not null) result.AddRange(new[] { "-x", name });
        result.AddRange(program);
        return result;
    }

    /// <summary>Runs <paramref name="nproc"/> ranks of this executable (or of <paramref name="command"/>, a .dll run with dotnet) with <paramref name="arguments"/> under mpirun; returns mpirun's exit code.</summary>
    public static int Launch(IReadOnlyList<string> arguments, int nproc, string? hostfile, TextWriter log, string? command = null)
    {
        var program = (command is null ? SelfCommand() : new[] { "dotnet", command }).Concat(arguments).ToList();
        var start = new ProcessStartInfo("mpirun") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in MpirunArguments(nproc, hostfile, program)) start.ArgumentList.Add(a);
        // Containers often run as root, which mpirun refuses unless told; TERM=dumb keeps terminal codes out of the ranks' output.
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        start.Environment["TERM"] = "dumb";
        log.WriteLine($"launcher: mpirun {string.Join(" ", start.ArgumentList)}");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("could not start mpirun");
        }
        catch (Win32Exception e)
        {
            log.WriteLine($"launcher: mpirun could not be started ({e.Message}); install Open MPI (apt-get install openmpi-bin libopenmpi-dev).");
            return 127;
        }
        using (process)
        {
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.WaitForExit();
            if (process.ExitCode != 0) log.WriteLine($"launcher: mpirun exited with code {process.ExitCode}");
            return process.ExitCode;
        }
    }

    private static string[] SelfCommand()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable to start for the ranks");
        // Run as `dotnet ResNet.dll`: the host is dotnet, the program its first argument.
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
            return new[] { path, Assembly.GetEntryAssembly()!.Location };
        return new[] { path };
    }
}
