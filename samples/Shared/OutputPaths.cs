using System;
using System.IO;

namespace Efficient.Samples;

/// <summary>
/// Checks, before any data is loaded or any batch trained, that the folders and files a sample will
/// write can be written, so a bad path fails at once with the option's name instead of after training.
/// Shared by the samples (linked into each project).
/// </summary>
internal static class OutputPaths
{
    /// <summary>
    /// The checks every sample makes before loading data: a checkpoint folder that already holds a run
    /// needs <c>--resume</c>; the checkpoint folder and the model file must be writable.
    /// </summary>
    public static void CheckBeforeTraining(string? checkpointDir, bool resume, string? saveModel, string? tensorBoard = null)
    {
        if (tensorBoard is not null) EnsureWritableFolder(tensorBoard, "--tensorboard");
        if (checkpointDir is not null)
        {
            if (!resume && Directory.Exists(checkpointDir) && (File.Exists(Path.Combine(checkpointDir, "latest")) || Directory.GetDirectories(checkpointDir, "ep*").Length > 0))
                throw new InvalidOperationException($"'{checkpointDir}' already holds checkpoints; pass --resume to continue that run or choose another --checkpoint-dir.");
            EnsureWritableFolder(checkpointDir, "--checkpoint-dir");
        }
        if (saveModel is not null) EnsureWritableFile(saveModel, "--save-model");
    }

    /// <summary>Creates <paramref name="folder"/> if needed and checks a file can be created in it.</summary>
    /// <exception cref="IOException">It cannot; the message names <paramref name="option"/>.</exception>
    public static void EnsureWritableFolder(string folder, string option)
    {
        try
        {
            Directory.CreateDirectory(folder);
            Probe(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new IOException($"{option} '{folder}' cannot be written ({e.Message}); expected a folder this process can create files in.", e);
        }
    }

    /// <summary>Checks that <paramref name="file"/> can be written later: its folder exists (or can be created), a file can be created there, and the path is not a folder.</summary>
    /// <exception cref="IOException">It cannot; the message names <paramref name="option"/>.</exception>
    public static void EnsureWritableFile(string file, string option)
    {
        try
        {
            if (Directory.Exists(file)) throw new IOException("it is a folder");
            var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
            Directory.CreateDirectory(folder);
            Probe(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new IOException($"{option} '{file}' cannot be written ({e.Message}); expected a file path in a folder this process can write.", e);
        }
    }

    private static void Probe(string folder)
    {
        var probe = Path.Combine(folder, $".write-test-{Guid.NewGuid():N}");
        File.WriteAllText(probe, "");
        File.Delete(probe);
    }
}

/// <summary>
/// The samples' logger: the library's messages (surgery, resume, checkpoints, warnings) as lines of
/// the sample's own output, information as is and warnings and errors marked, debug messages left out.
/// </summary>
internal sealed class SampleLogger : Microsoft.Extensions.Logging.ILogger
{
    private readonly TextWriter _log;

    public SampleLogger(TextWriter log) => _log = log;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var message = formatter(state, exception);
        _log.WriteLine(logLevel >= Microsoft.Extensions.Logging.LogLevel.Warning ? $"{logLevel.ToString().ToLowerInvariant()}: {message}" : message);
    }
}
