using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Efficient.Training.Optimizers;

namespace Efficient.Training;

/// <summary>
/// Writes and reads checkpoints: one folder per checkpoint (<c>ep{E}-ba{B}</c>) holding the model's
/// weights, the optimizer's state, the random generators, each stateful algorithm's state and a
/// <c>trainer.json</c> manifest (timestamp, metrics, file list). A checkpoint is written into a
/// temporary folder and renamed into place, so a crash never leaves a half-written checkpoint; the
/// <c>latest</c> pointer is replaced atomically the same way. Loading checks everything before it
/// changes anything it can check (manifest, files, algorithm names).
/// </summary>
internal sealed class Checkpointer
{
    private const int FormatVersion = 2;   // 2: TorchSharp's file formats, a SHA-256 per file
    private const string Manifest = "trainer.json";
    private const string LatestPointer = "latest";
    private readonly CheckpointOptions _options;

    public Checkpointer(CheckpointOptions options) => _options = options;

    public string Folder => _options.Folder;

    public static string NameFor(Timestamp t) => string.Create(CultureInfo.InvariantCulture, $"ep{t.Epoch}-ba{t.Batch}");

    public bool HasCheckpointAt(Timestamp t) => Directory.Exists(Path.Combine(Folder, NameFor(t)));

    /// <summary>The path of the latest complete checkpoint, or null when there is none.</summary>
    public string? Latest()
    {
        var pointer = Path.Combine(Folder, LatestPointer);
        if (!File.Exists(pointer)) return null;
        var name = File.ReadAllText(pointer).Trim();
        var path = Path.Combine(Folder, name);
        if (name.Length == 0 || name.Contains(Path.DirectorySeparatorChar) || !Directory.Exists(path))
            throw new InvalidDataException($"Checkpoint pointer '{pointer}' names '{name}', which is not a checkpoint folder in '{Folder}'; expected the name of a folder like 'ep1-ba100'. Remove the pointer to start from scratch.");
        return path;
    }

    public void Save(TrainingState state, IReadOnlyList<IAlgorithm> algorithms)
    {
        Directory.CreateDirectory(Folder);
        var name = NameFor(state.Timestamp);
        var final = Path.Combine(Folder, name);
        var temp = Path.Combine(Folder, $".tmp-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            ModelFile.Save(state.Model, Path.Combine(temp, "model.bin"));
            if (state.Optimizer is OptimizerHelper helper)
            {
                OptimizerStates.MakeContiguous(helper);   // TorchSharp writes contiguous tensors only
                helper.save_state_dict(Path.Combine(temp, "optimizer.bin"));
            }
            else throw new NotSupportedException($"Checkpointing needs an optimizer derived from OptimizerHelper; {state.Optimizer.GetType().Name} is not.");

            var files = new JsonArray();
            void SaveTensor(string key, Tensor value)
            {
                var file = $"t{files.Count}.bin";
                torch.save(value, Path.Combine(temp, file));
                files.Add(new JsonObject { ["key"] = key, ["file"] = file });
            }

            using (var rng = torch.get_rng_state()) SaveTensor("rng/torch", rng);
            using (var rng = state.Rng.get_state()) SaveTensor("rng/trainer", rng);

            var algorithmStates = new JsonObject();
            foreach (var a in algorithms.OfType<IStatefulAlgorithm>())
            {
                var s = a.SaveState();
                foreach (var (k, value) in s.Tensors) SaveTensor($"alg/{a.Name}/{k}", value);
                algorithmStates[a.Name] = new JsonObject
                {
                    ["values"] = new JsonObject(s.Values.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
                    ["strings"] = new JsonObject(s.Strings.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
                    ["tensors"] = new JsonArray(s.Tensors.Keys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()),
                };
            }

            var t = state.Timestamp;
            var manifest = new JsonObject
            {
                ["format"] = "Efficient.Training checkpoint",
                ["version"] = FormatVersion,
                ["timestamp"] = new JsonObject
                {
                    ["epoch"] = t.Epoch, ["batch"] = t.Batch, ["sample"] = t.Sample, ["token"] = t.Token,
                    ["batchInEpoch"] = t.BatchInEpoch, ["sampleInEpoch"] = t.SampleInEpoch, ["tokenInEpoch"] = t.TokenInEpoch,
                    ["wallClockTicks"] = t.TotalWallClock.Ticks,
                },
                ["maxDuration"] = state.MaxDuration.ToString(),
                ["metrics"] = new JsonObject(state.Metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
                ["algorithms"] = new JsonArray(algorithms.Select(a => (JsonNode?)JsonValue.Create(a.Name)).ToArray()),
                ["algorithmState"] = algorithmStates,
                ["tensors"] = files,
                ["sha256"] = new JsonObject(Directory.GetFiles(temp).OrderBy(f => f, StringComparer.Ordinal)
                    .Select(f => KeyValuePair.Create(Path.GetFileName(f), (JsonNode?)JsonValue.Create(Sha256(f))))),
            };
            File.WriteAllText(Path.Combine(temp, Manifest), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temp, final);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        WriteAtomically(Path.Combine(Folder, LatestPointer), name);
        Prune();
    }

    private void Prune()
    {
        var all = Directory.GetDirectories(Folder)
            .Select(d => Path.GetFileName(d))
            .Where(n => n.StartsWith("ep", StringComparison.Ordinal) && File.Exists(Path.Combine(Folder, n, Manifest)))
            .Select(n => (name: n, batch: ParseBatch(n)))
            .Where(x => x.batch >= 0)
            .OrderBy(x => x.batch)
            .ToList();
        foreach (var (name, _) in all.Take(Math.Max(0, all.Count - _options.KeepLast))) TryDelete(Path.Combine(Folder, name));
    }

    private static long ParseBatch(string name)
    {
        var i = name.IndexOf("-ba", StringComparison.Ordinal);
        return i > 0 && long.TryParse(name[(i + 3)..], NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : -1;
    }

    /// <summary>The timestamp recorded in a checkpoint (validating its manifest).</summary>
    public Timestamp ReadTimestamp(string path) => ParseTimestamp(ReadManifest(path)["timestamp"]!);

    private static Timestamp ParseTimestamp(JsonNode ts) => new()
    {
        Epoch = ts["epoch"]!.GetValue<long>(),
        Batch = ts["batch"]!.GetValue<long>(),
        Sample = ts["sample"]!.GetValue<long>(),
        Token = ts["token"]!.GetValue<long>(),
        BatchInEpoch = ts["batchInEpoch"]!.GetValue<long>(),
        SampleInEpoch = ts["sampleInEpoch"]!.GetValue<long>(),
        TokenInEpoch = ts["tokenInEpoch"]!.GetValue<long>(),
        TotalWallClock = TimeSpan.FromTicks(ts["wallClockTicks"]!.GetValue<long>()),
    };

    private static JsonNode ReadManifest(string path)
    {
        var manifestPath = Path.Combine(path, Manifest);
        if (!File.Exists(manifestPath))
            throw new InvalidDataException($"Checkpoint '{path}' is incomplete: '{Manifest}' is missing; expected a folder written by the Trainer.");
        JsonNode root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(manifestPath)) ?? throw new InvalidDataException("empty manifest");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has a corrupt '{Manifest}': {e.Message}", e);
        }
        Require(root["format"]?.GetValue<string>() == "Efficient.Training checkpoint", path, "the manifest is not an Efficient.Training checkpoint manifest");
        var version = root["version"]?.GetValue<int>() ?? -1;
        Require(version == FormatVersion, path, $"format version {version} is not supported; expected {FormatVersion}");
        Require(root["timestamp"] is JsonObject && root["tensors"] is JsonArray && root["algorithms"] is JsonArray, path, "the manifest lacks its timestamp, tensor list or algorithm list");
        return root;
    }

    public void Load(string path, TrainingState state, IReadOnlyList<IAlgorithm> algorithms)
    {
        var root = ReadManifest(path);
        var savedAlgorithms = root["algorithms"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        var currentAlgorithms = algorithms.Select(a => a.Name).ToList();
        Require(savedAlgorithms.SequenceEqual(currentAlgorithms), path,
            $"it was written with algorithms [{string.Join(", ", savedAlgorithms)}] but this trainer has [{string.Join(", ", currentAlgorithms)}]");
        var tensorFiles = root["tensors"]!.AsArray().ToDictionary(n => n!["key"]!.GetValue<string>(), n => Path.Combine(path, n!["file"]!.GetValue<string>()));
        var sums = root["sha256"] as JsonObject;
        Require(sums is not null, path, "the manifest lacks its file checksums");
        foreach (var file in tensorFiles.Values.Append(Path.Combine(path, "model.bin")).Append(Path.Combine(path, "optimizer.bin")))
        {
            var fileName = Path.GetFileName(file);
            Require(File.Exists(file), path, $"'{fileName}' is missing");
            Require(sums![fileName]?.GetValue<string>() is { } expected && expected == Sha256(file), path,
                $"'{fileName}' does not match its SHA-256 in the manifest (the file is damaged or was changed); delete this checkpoint folder to resume from an earlier one");
        }

        // Load everything that can fail into memory first; only then change the run's state.
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (key, file) in tensorFiles) tensors[key] = torch.load(file).DetachFromDisposeScope();
            ModelFile.Load(state.Model, Path.Combine(path, "model.bin"), strict: true);
            if (state.Optimizer is not OptimizerHelper helper)
                throw new NotSupportedException($"Resuming needs an optimizer derived from OptimizerHelper; {state.Optimizer.GetType().Name} is not.");
            helper.load_state_dict(Path.Combine(path, "optimizer.bin"));
            OptimizerStates.KeepOutOfScopes(helper);
            torch.set_rng_state(tensors["rng/torch"]);
            state.Rng.set_state(tensors["rng/trainer"]);

            var algState = root["algorithmState"]!.AsObject();
            foreach (var a in algorithms.OfType<IStatefulAlgorithm>())
            {
                var s = new AlgorithmState();
                if (algState[a.Name] is JsonObject saved)
                {
                    foreach (var (k, v) in saved["values"]!.AsObject()) s.Values[k] = v!.GetValue<double>();
                    foreach (var (k, v) in saved["strings"]!.AsObject()) s.Strings[k] = v!.GetValue<string>();
                    foreach (var k in saved["tensors"]!.AsArray().Select(n => n!.GetValue<string>())) s.Tensors[k] = tensors[$"alg/{a.Name}/{k}"];
                }
                a.LoadState(s);
            }

            state.Timestamp = ParseTimestamp(root["timestamp"]!);
            state.Metrics = root["metrics"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>());
        }
        finally
        {
            foreach (var (key, t) in tensors)
                if (!key.StartsWith("alg/", StringComparison.Ordinal)) t.Dispose();
        }
    }

    private static void Require(bool ok, string path, string what)
    {
        if (!ok) throw new InvalidDataException($"Cannot resume from checkpoint '{path}': {what}.");
    }

    private static void WriteAtomically(string path, string content)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
