using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Efficient.Training.Optimizers;

namespace Efficient.Training;

/// <summary>The facts a checkpoint must share with the run that resumes it (or the resumed run would not continue the same run).</summary>
internal sealed record RunIdentity(long Seed, int WorldSize, long? SamplesPerEpoch, long? BatchesPerEpoch, int? BatchSize)
{
    public static RunIdentity Of(TrainerOptions options, int worldSize) => new(
        options.Seed, worldSize, options.TrainData!.SamplesPerEpoch, options.TrainData.BatchesPerEpoch, BatchSizeOf(options.TrainData));

    private static int? BatchSizeOf(ITrainingData data) => data switch
    {
        TensorTrainingData t => t.BatchSize,
        DistributedTrainingData d => d.BatchSize,
        Algorithms.CurriculumTrainingData c => c.BatchSize,
        _ => null,
    };

    public JsonObject ToJson() => new()
    {
        ["seed"] = Seed, ["worldSize"] = WorldSize, ["samplesPerEpoch"] = SamplesPerEpoch, ["batchesPerEpoch"] = BatchesPerEpoch, ["batchSize"] = BatchSize,
    };

    public static RunIdentity FromJson(JsonNode node) => new(
        node["seed"]!.GetValue<long>(), node["worldSize"]!.GetValue<int>(), node["samplesPerEpoch"]?.GetValue<long>(), node["batchesPerEpoch"]?.GetValue<long>(), node["batchSize"]?.GetValue<int>());

    /// <summary>"batch size 16 (this run: 32)" for each fact that differs.</summary>
    public IEnumerable<string> DifferencesFrom(RunIdentity current)
    {
        static string Show(object? v) => v?.ToString() ?? "unknown";
        if (Seed != current.Seed) yield return $"seed {Seed} (this run: {current.Seed})";
        if (BatchSize != current.BatchSize) yield return $"batch size {Show(BatchSize)} (this run: {Show(current.BatchSize)})";
        if (SamplesPerEpoch != current.SamplesPerEpoch) yield return $"{Show(SamplesPerEpoch)} training samples per epoch (this run: {Show(current.SamplesPerEpoch)})";
        if (BatchesPerEpoch != current.BatchesPerEpoch) yield return $"{Show(BatchesPerEpoch)} batches per epoch (this run: {Show(current.BatchesPerEpoch)})";
        if (WorldSize != current.WorldSize) yield return $"{WorldSize} data-parallel rank(s) (this run: {current.WorldSize})";
    }
}

/// <summary>
/// Writes and reads checkpoints: one folder per checkpoint (<c>ep{E}-ba{B}</c>) holding the model's
/// weights, the optimizer's state, the random generators, each stateful algorithm's state and a
/// <c>trainer.json</c> manifest (timestamp, metrics, the run's identity, a SHA-256 per file), with the
/// manifest's own SHA-256 in <c>trainer.json.sha256</c>. A checkpoint is written into a temporary
/// folder and renamed into place, so a crash never leaves a half-written checkpoint (temporary
/// folders a killed process left are removed by <see cref="Prepare"/>); the <c>latest</c> pointer is
/// replaced atomically the same way. Loading verifies every file and the run's identity before it
/// changes anything.
/// </summary>
internal sealed class Checkpointer
{
    private const int FormatVersion = 3;   // 3: the manifest's checksum, the run's identity, non-finite numbers as strings
    private const string Manifest = "trainer.json";
    private const string ManifestChecksum = "trainer.json.sha256";
    private const string LatestPointer = "latest";
    private const string TempPrefix = ".tmp-";
    private readonly CheckpointOptions _options;

    public Checkpointer(CheckpointOptions options) => _options = options;

    public string Folder => _options.Folder;

    public static string NameFor(Timestamp t) => string.Create(CultureInfo.InvariantCulture, $"ep{t.Epoch}-ba{t.Batch}");

    public bool HasCheckpointAt(Timestamp t) => Directory.Exists(Path.Combine(Folder, NameFor(t)));

    /// <summary>
    /// The path of the latest complete checkpoint, or null when there is none: the folder the
    /// <c>latest</c> pointer names, or, when the pointer is missing or names a folder that is gone
    /// (a damaged checkpoint the user deleted), the checkpoint folder with the most batches.
    /// </summary>
    public string? Latest()
    {
        var pointer = Path.Combine(Folder, LatestPointer);
        if (File.Exists(pointer))
        {
            var name = File.ReadAllText(pointer).Trim();
            if (name.Length == 0 || name.Contains(Path.DirectorySeparatorChar) || name.Contains(Path.AltDirectorySeparatorChar))
                throw new InvalidDataException($"Checkpoint pointer '{pointer}' holds '{name}', which is not the name of a checkpoint folder like 'ep1-ba100'. Remove the pointer to resume from the newest checkpoint folder in '{Folder}'.");
            var path = Path.Combine(Folder, name);
            if (Directory.Exists(path)) return path;
        }
        return Complete().Select(x => Path.Combine(Folder, x.Name)).LastOrDefault();
    }

    /// <summary>
    /// Run before training (by the process that writes checkpoints): makes sure the folder exists and
    /// can be written, and removes temporary folders and pointer files that a killed process left
    /// while writing. Returns how many it removed.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be created or written; the message names the option.</exception>
    public int Prepare()
    {
        var probe = Path.Combine(Folder, $"{TempPrefix}write-test-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(Folder);
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IOException($"TrainerOptions.Checkpoint.Folder '{Folder}' cannot be written ({e.Message}); expected a folder this process can create files in. Nothing was trained.", e);
        }
        var removed = 0;
        foreach (var dir in Directory.GetDirectories(Folder, TempPrefix + "*"))
            if (TryDelete(dir)) removed++;
        foreach (var file in Directory.GetFiles(Folder, LatestPointer + TempPrefix + "*"))
        {
            try
            {
                File.Delete(file);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return removed;
    }

    public void Save(TrainingState state, IReadOnlyList<IAlgorithm> algorithms, RunIdentity identity)
    {
        Directory.CreateDirectory(Folder);
        var name = NameFor(state.Timestamp);
        var final = Path.Combine(Folder, name);
        var temp = Path.Combine(Folder, $"{TempPrefix}{name}-{Guid.NewGuid():N}");
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
                    ["values"] = new JsonObject(s.Values.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Number(kv.Value)))),
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
                ["metrics"] = new JsonObject(state.Metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Number(kv.Value)))),
                ["run"] = identity.ToJson(),
                ["algorithms"] = new JsonArray(algorithms.Select(a => (JsonNode?)JsonValue.Create(a.Name)).ToArray()),
                ["algorithmState"] = algorithmStates,
                ["tensors"] = files,
                ["sha256"] = new JsonObject(Directory.GetFiles(temp).OrderBy(f => f, StringComparer.Ordinal)
                    .Select(f => KeyValuePair.Create(Path.GetFileName(f), (JsonNode?)JsonValue.Create(Sha256(f))))),
            };
            var manifestPath = Path.Combine(temp, Manifest);
            File.WriteAllText(manifestPath, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            File.WriteAllText(Path.Combine(temp, ManifestChecksum), Sha256(manifestPath));

            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temp, final);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        AtomicFile.WriteAllText(Path.Combine(Folder, LatestPointer), name);
        Prune();
    }

    private void Prune()
    {
        var all = Complete().ToList();
        foreach (var (name, _) in all.Take(Math.Max(0, all.Count - _options.KeepLast))) TryDelete(Path.Combine(Folder, name));
    }

    // The complete checkpoint folders (with a manifest), oldest first.
    private IEnumerable<(string Name, long Batch)> Complete() => Directory.Exists(Folder)
        ? Directory.GetDirectories(Folder)
            .Select(d => Path.GetFileName(d))
            .Where(n => n.StartsWith("ep", StringComparison.Ordinal) && File.Exists(Path.Combine(Folder, n, Manifest)))
            .Select(n => (n, ParseBatch(n)))
            .Where(x => x.Item2 >= 0)
            .OrderBy(x => x.Item2)
        : Enumerable.Empty<(string, long)>();

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
        var checksumPath = Path.Combine(path, ManifestChecksum);
        if (!File.Exists(checksumPath))
            throw new InvalidDataException($"Checkpoint '{path}' is incomplete: '{ManifestChecksum}' is missing; expected a folder written by the Trainer (format {FormatVersion}). Delete this checkpoint folder to resume from the one before it.");
        Require(File.ReadAllText(checksumPath).Trim() == Sha256(manifestPath), path,
            $"'{Manifest}' does not match its SHA-256 in '{ManifestChecksum}' (the file is damaged or was changed); delete this checkpoint folder to resume from the one before it");
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
        Require(root["timestamp"] is JsonObject && root["tensors"] is JsonArray && root["algorithms"] is JsonArray && root["run"] is JsonObject, path, "the manifest lacks its timestamp, tensor list, algorithm list or run identity");
        return root;
    }

    /// <summary>The values and strings each stateful algorithm saved in the checkpoint at <paramref name="path"/> (validating its manifest; tensors are not read), by algorithm name.</summary>
    public IReadOnlyDictionary<string, AlgorithmState> ReadAlgorithmValues(string path)
    {
        var result = new Dictionary<string, AlgorithmState>();
        if (ReadManifest(path)["algorithmState"] is not JsonObject states) return result;
        foreach (var (name, node) in states)
        {
            if (node is not JsonObject saved) continue;
            var s = new AlgorithmState();
            if (saved["values"] is JsonObject values)
                foreach (var (k, v) in values) s.Values[k] = ReadNumber(v!);
            if (saved["strings"] is JsonObject strings)
                foreach (var (k, v) in strings) s.Strings[k] = v!.GetValue<string>();
            result[name] = s;
        }
        return result;
    }

    /// <summary>Restores <paramref name="state"/> and the algorithms from the checkpoint at <paramref name="path"/>; returns how the checkpoint's run differs from this one (empty when it does not).</summary>
    public IReadOnlyList<string> Load(string path, TrainingState state, IReadOnlyList<IAlgorithm> algorithms, RunIdentity identity)
    {
        var root = ReadManifest(path);
        var differences = RunIdentity.FromJson(root["run"]!).DifferencesFrom(identity).ToList();
        Require(differences.Count == 0 || _options.AllowDifferentRun, path,
            $"it was written by a run with {string.Join(", ", differences)}; resume with the same settings, choose another checkpoint folder, or set CheckpointOptions.AllowDifferentRun to continue from it anyway");
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
                $"'{fileName}' does not match its SHA-256 in the manifest (the file is damaged or was changed); delete this checkpoint folder to resume from the one before it");
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
                    foreach (var (k, v) in saved["values"]!.AsObject()) s.Values[k] = ReadNumber(v!);
                    foreach (var (k, v) in saved["strings"]!.AsObject()) s.Strings[k] = v!.GetValue<string>();
                    foreach (var k in saved["tensors"]!.AsArray().Select(n => n!.GetValue<string>())) s.Tensors[k] = tensors[$"alg/{a.Name}/{k}"];
                }
                a.LoadState(s);
            }

            state.Timestamp = ParseTimestamp(root["timestamp"]!);
            state.Metrics = root["metrics"]!.AsObject().ToDictionary(kv => kv.Key, kv => ReadNumber(kv.Value!));
        }
        finally
        {
            foreach (var (key, t) in tensors)
                if (!key.StartsWith("alg/", StringComparison.Ordinal)) t.Dispose();
        }
        return differences;
    }

    // JSON has no NaN or infinities: those are written as the strings "NaN", "Infinity", "-Infinity".
    private static JsonNode Number(double value) => double.IsFinite(value)
        ? JsonValue.Create(value)
        : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));

    private static double ReadNumber(JsonNode node) => node is JsonValue v && v.TryGetValue<string>(out var text)
        ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)
        : node.GetValue<double>();

    private static void Require(bool ok, string path, string what)
    {
        if (!ok) throw new InvalidDataException($"Cannot resume from checkpoint '{path}': {what}.");
    }

    private static bool TryDelete(string dir)
    {
        try
        {
            if (!Directory.Exists(dir)) return false;
            Directory.Delete(dir, recursive: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
