using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Threading;

namespace ResNetSample;

/// <summary>
/// <c>--nproc N</c>: starts N ranks of this same program on 127.0.0.1 as child processes with
/// torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
/// MASTER_PORT), waits for them, and, like torchrun, stops the others as soon as one fails.
/// </summary>
public static class Launcher
{
    /// <summary>The children's command line: the parent's without <c>--nproc</c>/<c>--master-port</c>, with threads split between the ranks unless given.</summary>
    public static IReadOnlyList<string> ChildArguments(string[] args, SampleOptions options, int nproc)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--nproc" or "--master-port") { i++; continue; }
            result.Add(args[i]);
        }
        if (!options.ThreadsGiven)
        {
            result.Add("--threads");
            result.Add(Math.Max(1, Environment.ProcessorCount / nproc).ToString(CultureInfo.InvariantCulture));
        }
        return result;
    }

    /// <summary>Runs <paramref name="nproc"/> ranks of this executable with <paramref name="arguments"/>; returns 0 when all succeed, else the first failing rank's exit code.</summary>
    public static int Launch(IReadOnlyList<string> arguments, int nproc, int? masterPort, TextWriter log, string? command = null)
    {
        var port = masterPort ?? FreePort();
        var (file, prefix) = command is null ? SelfCommand() : ("dotnet", new[] { command });
        log.WriteLine($"launcher: starting {nproc} ranks on 127.0.0.1:{port}");
        var processes = new List<Process>();
        try
        {
            for (var rank = 0; rank < nproc; rank++)
            {
                var start = new ProcessStartInfo(file) { UseShellExecute = false };
                foreach (var a in prefix.Concat(arguments)) start.ArgumentList.Add(a);
                start.Environment["RANK"] = rank.ToString(CultureInfo.InvariantCulture);
                start.Environment["LOCAL_RANK"] = rank.ToString(CultureInfo.InvariantCulture);
                start.Environment["WORLD_SIZE"] = nproc.ToString(CultureInfo.InvariantCulture);
                start.Environment["LOCAL_WORLD_SIZE"] = nproc.ToString(CultureInfo.InvariantCulture);
                start.Environment["MASTER_ADDR"] = "127.0.0.1";
                start.Environment["MASTER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
                processes.Add(Process.Start(start) ?? throw new InvalidOperationException($"could not start rank {rank}"));
            }
            while (true)
            {
                var failed = processes.FirstOrDefault(p => p.HasExited && p.ExitCode != 0);
                if (failed is not null)
                {
                    var rank = processes.IndexOf(failed);
                    log.WriteLine($"launcher: rank {rank} exited with code {failed.ExitCode}; stopping the other ranks");
                    return failed.ExitCode;
                }
                if (processes.All(p => p.HasExited)) return 0;
                Thread.Sleep(200);
            }
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.WaitForExit();
                p.Dispose();
            }
        }
    }

    private static (string File, string[] Prefix) SelfCommand()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable to start for the ranks");
        // Run as `dotnet ResNet.dll`: the host is dotnet, the program its first argument.
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
            return (path, new[] { Assembly.GetEntryAssembly()!.Location });
        return (path, Array.Empty<string>());
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
