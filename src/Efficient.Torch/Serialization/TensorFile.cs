using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Efficient.Torch.Serialization;
using static Efficient.Torch.torch;

namespace Efficient.Torch;

/// <summary>
/// Saving and loading named tensors in the Efficient.Torch tensor file format (the format of
/// <c>torch.save</c> and <c>Module.save</c>; see docs/serialization-format.md), plus the atomic
/// file replacement they use. Not part of TorchSharp's API: an Efficient.Torch addition for
/// checkpoints that hold more than one module's state.
/// </summary>
public static class TensorFile
{
    /// <summary>The format version written by this build (and the newest it reads).</summary>
    public const int FormatVersion = (int)TensorFileFormat.Version;

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="location"/> atomically (see
    /// <see cref="WriteAtomically"/>). Tensors on other devices or not contiguous are copied to
    /// contiguous CPU tensors first, one at a time.
    /// </summary>
    /// <param name="tensors">The tensors by name (written in enumeration order).</param>
    /// <param name="location">The file to create or replace.</param>
    public static void Save(IEnumerable<KeyValuePair<string, Tensor>> tensors, string location)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = tensors.ToList();
        WriteAtomically(location, stream => TensorFileFormat.Write(stream, RecordKind.StateDict, entries));
    }

    /// <summary>
    /// Reads the named tensors of a file written by <see cref="Save"/>, <c>Module.save</c> or
    /// <c>Module.save_state_dict</c>. The tensors are on the CPU and belong to the current dispose scope.
    /// </summary>
    /// <param name="location">The file to read.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupted, not a tensor file or of a newer format version.</exception>
    public static Dictionary<string, Tensor> Load(string location)
    {
        var full = CheckExists(location);
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var scope = NewDisposeScope();
        var entries = TensorFileFormat.Read(stream, TensorFileFormat.Describe(stream), RecordKind.StateDict);
        CheckNothingFollows(stream);
        var result = new Dictionary<string, Tensor>(entries.Count);
        foreach (var (name, tensor) in entries) result.Add(name, scope.MoveToOuter(tensor));
        return result;
    }

    /// <summary>Writes one record of named tensors at the writer's position (as <c>Module.save_state_dict</c>).</summary>
    /// <param name="writer">Where to write; left open.</param>
    /// <param name="tensors">The tensors by name.</param>
    public static void Write(BinaryWriter writer, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(tensors);
        TensorFileFormat.Write(writer.BaseStream, RecordKind.StateDict, tensors.ToList());
    }

    /// <summary>
    /// Reads one record of named tensors at the reader's position, consuming exactly its bytes (so
    /// several records can follow each other in one stream).
    /// </summary>
    /// <param name="reader">Where to read; left open.</param>
    public static Dictionary<string, Tensor> Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var scope = NewDisposeScope();
        var entries = TensorFileFormat.Read(reader.BaseStream, TensorFileFormat.Describe(reader.BaseStream), RecordKind.StateDict);
        var result = new Dictionary<string, Tensor>(entries.Count);
        foreach (var (name, tensor) in entries) result.Add(name, scope.MoveToOuter(tensor));
        return result;
    }

    /// <summary>
    /// Creates or replaces <paramref name="location"/> so that it never holds a partial write: the content
    /// goes to a temporary file in the same folder, which is flushed to disk and then renamed over the
    /// destination. When <paramref name="write"/> or the rename fails, the temporary file is deleted, the
    /// previous file (if any) is left unchanged, and an <see cref="IOException"/> naming the file wraps the cause.
    /// </summary>
    /// <param name="location">The file to create or replace; its folder must exist.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="location"/> does not exist.</exception>
    public static void WriteAtomically(string location, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(location);
        var folder = Path.GetDirectoryName(full);
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Cannot save '{full}': the folder '{folder}' does not exist. Create it first.");
        if (Directory.Exists(full))
            throw new IOException($"Cannot save '{full}': it is a folder, not a file.");

        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(temporary); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            var previous = File.Exists(full) ? "the existing file was left unchanged" : "no file was written";
            throw new IOException($"Saving '{full}' failed ({previous}): {e.Message}", e);
        }
    }

    internal static string CheckExists(string location)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        var full = Path.GetFullPath(location);
        if (!File.Exists(full))
        {
            var hint = Directory.Exists(full) ? " (it is a folder)" : "";
            throw new FileNotFoundException($"Cannot load '{full}': the file does not exist{hint}.", full);
        }
        return full;
    }

    internal static void CheckNothingFollows(FileStream stream)
    {
        var extra = stream.Length - stream.Position;
        if (extra > 0)
            throw new InvalidDataException($"'{stream.Name}' is corrupted: {extra} unexpected bytes follow the end of the record at offset {stream.Position}.");
    }
}

public static partial class torch
{
    /// <summary>
    /// Saves a tensor (its dtype, shape, values and <c>requires_grad</c>) to <paramref name="location"/>,
    /// atomically: a failed save leaves any previous file unchanged. See docs/serialization-format.md.
    /// </summary>
    /// <param name="t">The tensor; copied to a contiguous CPU tensor first when it is not one.</param>
    /// <param name="location">The file to create or replace; its folder must exist.</param>
    public static void save(Tensor t, string location)
    {
        ArgumentNullException.ThrowIfNull(t);
        var entries = new List<KeyValuePair<string, Tensor>> { new("", t) };
        TensorFile.WriteAtomically(location, stream => TensorFileFormat.Write(stream, RecordKind.Tensor, entries));
    }

    /// <summary>
    /// Loads a tensor saved with <see cref="save(Tensor, string)"/>, on the CPU, in the current dispose scope.
    /// </summary>
    /// <param name="location">The file to read.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupted, not a tensor file or of a newer format version.</exception>
    public static Tensor load(string location)
    {
        var full = TensorFile.CheckExists(location);
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var scope = NewDisposeScope();
        var entries = TensorFileFormat.Read(stream, TensorFileFormat.Describe(stream), RecordKind.Tensor);
        TensorFile.CheckNothingFollows(stream);
        return scope.MoveToOuter(entries[0].Value);
    }
}
