using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Efficient.Torch.Serialization;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public partial class Module
        {
            /// <summary>
            /// Saves the parameters and persistent buffers (<see cref="state_dict"/>) to a file, atomically:
            /// the file is written under a temporary name in the same folder and renamed over
            /// <paramref name="location"/>, so a failed save leaves any previous file unchanged.
            /// The format is described in docs/serialization-format.md (it is not TorchSharp's).
            /// </summary>
            /// <param name="location">The file to create or replace; its folder must exist.</param>
            /// <param name="skip">Names of entries not to save.</param>
            /// <returns>This module.</returns>
            public Module save(string location, IList<string>? skip = null)
            {
                var entries = Filter(state_dict(), skip);
                TensorFile.WriteAtomically(location, stream => TensorFileFormat.Write(stream, RecordKind.StateDict, entries));
                return this;
            }

            /// <summary>Writes the parameters and persistent buffers at the writer's position (the writer stays open).</summary>
            /// <param name="writer">Where to write.</param>
            /// <param name="skip">Names of entries not to save.</param>
            /// <returns>This module.</returns>
            public Module save(BinaryWriter writer, IList<string>? skip = null)
            {
                save_state_dict(writer, state_dict(), skip);
                return this;
            }

            /// <summary>Writes the parameters and persistent buffers to a stream, then closes it (as TorchSharp does).</summary>
            /// <param name="stream">Where to write; disposed afterwards.</param>
            /// <param name="skip">Names of entries not to save.</param>
            /// <returns>This module.</returns>
            public Module save(Stream stream, IList<string>? skip = null)
            {
                ArgumentNullException.ThrowIfNull(stream);
                using var writer = new BinaryWriter(stream);
                return save(writer, skip);
            }

            /// <summary>Writes a state dictionary as one record at the writer's position.</summary>
            /// <param name="writer">Where to write; left open.</param>
            /// <param name="sd">The tensors by name (not modified).</param>
            /// <param name="skip">Names of entries not to save.</param>
            public static void save_state_dict(BinaryWriter writer, Dictionary<string, Tensor> sd, IList<string>? skip = null)
            {
                ArgumentNullException.ThrowIfNull(writer);
                ArgumentNullException.ThrowIfNull(sd);
                TensorFileFormat.Write(writer.BaseStream, RecordKind.StateDict, Filter(sd, skip));
            }

            /// <summary>
            /// Loads parameters and buffers saved by <see cref="save(string, IList{string})"/>. The whole file is
            /// read and checked first — integrity (checksums), names (with <paramref name="strict"/>), dtypes and
            /// shapes — and only then copied into the module, so a failed load leaves the module unchanged.
            /// </summary>
            /// <param name="location">The file to read.</param>
            /// <param name="strict">Require the file's names and the module's to match exactly (apart from <paramref name="skip"/>).</param>
            /// <param name="skip">Names to leave untouched in the module (and to ignore when matching names).</param>
            /// <param name="loadedParameters">When given, receives each name in the file: true when it was copied into the module.</param>
            /// <returns>This module.</returns>
            /// <exception cref="FileNotFoundException">The file does not exist.</exception>
            /// <exception cref="InvalidDataException">The file is truncated, corrupted, not a tensor file or of a newer format version.</exception>
            /// <exception cref="InvalidOperationException">Names (strict), dtypes or shapes do not match the module.</exception>
            public virtual Module load(string location, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
            {
                var full = TensorFile.CheckExists(location);
                using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                using var reader = new BinaryReader(stream);
                return load(reader, strict, skip, loadedParameters);
            }

            /// <summary>Loads parameters and buffers from one record at the reader's position (the reader stays open); see <see cref="load(string, bool, IList{string}, Dictionary{string, bool})"/>.</summary>
            /// <param name="reader">Where to read.</param>
            /// <param name="strict">Require the record's names and the module's to match exactly (apart from <paramref name="skip"/>).</param>
            /// <param name="skip">Names to leave untouched in the module (and to ignore when matching names).</param>
            /// <param name="loadedParameters">When given, receives each name in the record: true when it was copied into the module.</param>
            /// <returns>This module.</returns>
            public virtual Module load(BinaryReader reader, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
            {
                ArgumentNullException.ThrowIfNull(reader);
                var source = TensorFileFormat.Describe(reader.BaseStream);
                using var scope = NewDisposeScope();
                var entries = TensorFileFormat.Read(reader.BaseStream, source, RecordKind.StateDict);
                CopyLoaded(entries, source, strict, skip, loadedParameters);
                return this;
            }

            /// <summary>Loads parameters and buffers from a stream, then closes it (as TorchSharp does); see <see cref="load(string, bool, IList{string}, Dictionary{string, bool})"/>.</summary>
            /// <param name="stream">Where to read; disposed afterwards.</param>
            /// <param name="strict">Require the record's names and the module's to match exactly (apart from <paramref name="skip"/>).</param>
            /// <param name="skip">Names to leave untouched in the module (and to ignore when matching names).</param>
            /// <param name="loadedParameters">When given, receives each name in the record: true when it was copied into the module.</param>
            /// <returns>This module.</returns>
            public Module load(Stream stream, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
            {
                ArgumentNullException.ThrowIfNull(stream);
                using var reader = new BinaryReader(stream);
                return load(reader, strict, skip, loadedParameters);
            }

            private static List<KeyValuePair<string, Tensor>> Filter(Dictionary<string, Tensor> sd, IList<string>? skip)
            {
                if (skip is null || skip.Count == 0) return sd.ToList();
                var skipped = new HashSet<string>(skip, StringComparer.Ordinal);
                return sd.Where(kv => !skipped.Contains(kv.Key)).ToList();
            }

            /// <summary>Checks every loaded entry against the module, then copies; nothing is copied when a check fails.</summary>
            private void CopyLoaded(List<KeyValuePair<string, Tensor>> entries, string source, bool strict, IList<string>? skip, Dictionary<string, bool>? loadedParameters)
            {
                var skipped = new HashSet<string>(skip ?? Array.Empty<string>(), StringComparer.Ordinal);
                var own = state_dict();
                var inFile = new HashSet<string>(entries.Select(e => e.Key), StringComparer.Ordinal);
                var problems = new List<string>();
                if (strict)
                {
                    var missing = own.Keys.Where(k => !inFile.Contains(k) && !skipped.Contains(k)).ToList();
                    var unexpected = entries.Select(e => e.Key).Where(k => !own.ContainsKey(k) && !skipped.Contains(k)).ToList();
                    if (missing.Count > 0) problems.Add($"missing from the file: {string.Join(", ", missing)}");
                    if (unexpected.Count > 0) problems.Add($"not in the module: {string.Join(", ", unexpected)}");
                }
                var copies = new List<(Tensor target, Tensor value)>();
                foreach (var (name, value) in entries)
                {
                    if (skipped.Contains(name) || !own.TryGetValue(name, out var target)) continue;
                    var targetDtype = target.dtype;
                    if (value.dtype != targetDtype)
                    {
                        problems.Add($"'{name}' is {value.dtype} in the file but {targetDtype} in the module");
                        continue;
                    }
                    var targetShape = target.shape;
                    var valueShape = value.shape;
                    if (!targetShape.SequenceEqual(valueShape))
                    {
                        problems.Add($"'{name}' has shape {FormatShape(valueShape)} in the file but {FormatShape(targetShape)} in the module");
                        continue;
                    }
                    copies.Add((target, value));
                }
                if (problems.Count > 0)
                    throw new InvalidOperationException($"Cannot load {source} into {GetName()} (the module was left unchanged): {string.Join("; ", problems)}.");

                using (no_grad())
                {
                    foreach (var (target, value) in copies) target.copy_(value);
                }
                if (loadedParameters is not null)
                {
                    foreach (var (name, _) in entries)
                        loadedParameters[name] = own.ContainsKey(name) && !skipped.Contains(name);
                }
            }

            private static string FormatShape(long[] shape) =>
                "[" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + "]";
        }
    }
}
