using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// The model block: changes the module tree once, at fit start (and again on resume, before the
/// checkpointed weights are loaded, so the shapes match). Replacements go through
/// <see cref="ModelSurgery"/>, which keeps the optimizer valid and records what changed.
/// </summary>
public interface IModelAlgorithm : IAlgorithm
{
    /// <summary>Applies the surgery.</summary>
    void Apply(nn.Module model, ModelSurgery surgery);
}

/// <summary>
/// Replaces submodules by dotted name and keeps a report ("BlurPool: replaced 3 strided convs").
/// The Trainer applies surgery before it builds the optimizer, so the optimizer sees the final
/// parameters. For surgery on a model whose optimizer already exists (a hand-written loop), pass
/// the optimizer: after each replacement, a parameter of the old module that the new module holds
/// under the same relative name as a different object is swapped in place
/// (<see cref="OptimizerSurgery.ReplaceParameters"/>, keeping its group and state), and
/// parameters the optimizer does not hold yet are added as a new parameter group with the
/// optimizer's default options. Parameters the new module no longer uses stay in the optimizer
/// but never get a gradient, so the optimizer skips them.
/// </summary>
public sealed class ModelSurgery
{
    private readonly nn.Module _root;
    private readonly optim.Optimizer? _optimizer;
    private readonly List<string> _report = new();
    private readonly List<(nn.Module old, nn.Module replacement)> _replacements = new();

    /// <summary>Starts surgery on <paramref name="root"/>, keeping <paramref name="optimizer"/> (if any) pointed at the live parameters.</summary>
    /// <param name="root">The model to operate on.</param>
    /// <param name="optimizer">An optimizer already built over the model's parameters, or null (the Trainer builds its optimizer after surgery).</param>
    public ModelSurgery(nn.Module root, optim.Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        _root = root;
        _optimizer = optimizer;
        // TorchSharp's optimizers keep the enumerable they were given (often a lazy model.parameters()):
        // pin each group to the parameters it holds now, so replacing a module cannot silently
        // change what the optimizer updates behind its per-parameter state.
        if (optimizer is not null)
            foreach (var group in optimizer.ParamGroups.Cast<ParamGroup>())
                if (group.Parameters is not List<Parameter>) group.Parameters = group.Parameters.ToList();
    }

    /// <summary>The model being operated on.</summary>
    public nn.Module Root => _root;

    /// <summary>The algorithm currently operating (for the report).</summary>
    internal string CurrentAlgorithm { get; set; } = "";

    /// <summary>Lines describing what each algorithm changed.</summary>
    public IReadOnlyList<string> Report => _report;

    /// <summary>
    /// When the Trainer redoes surgery to resume from a checkpoint: the values and strings the
    /// algorithm now operating (an <see cref="IStatefulAlgorithm"/>) saved in that checkpoint, read
    /// before anything is loaded, so surgery that depends on how far training had gone (a model that
    /// grew) rebuilds the checkpoint's module tree before its weights load. Its tensors are not read
    /// (empty); the full state still arrives through <see cref="IStatefulAlgorithm.LoadState"/>.
    /// Null when not resuming, or when the checkpoint holds no state of this algorithm.
    /// </summary>
    public AlgorithmState? ResumeState => _resumeStates is not null && _resumeStates.TryGetValue(CurrentAlgorithm, out var s) ? s : null;

    /// <summary>The saved states (values and strings) of the checkpoint being resumed, by algorithm name.</summary>
    internal IReadOnlyDictionary<string, AlgorithmState>? ResumeStates
    {
        get => _resumeStates;
        set => _resumeStates = value;
    }

    private IReadOnlyDictionary<string, AlgorithmState>? _resumeStates;

    /// <summary>The replacements made so far, in order.</summary>
    public IReadOnlyList<(nn.Module old, nn.Module replacement)> Replacements => _replacements;

    /// <summary>
    /// Replaces the submodule at <paramref name="path"/> and returns the old one (kept alive until fit
    /// ends). The replacement is put in the old module's training or evaluation mode.
    /// </summary>
    public nn.Module Replace(string path, nn.Module replacement)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        var old = ReplaceByReflection(path, replacement);
        // The replacement takes the training/evaluation mode of the module it replaces.
        if (replacement.training != old.training) replacement.train(old.training);
        _replacements.Add((old, replacement));
        // TorchSharp's layers dispose their parameters in Dispose(bool) even when called by the
        // finalizer: a replaced module that becomes garbage would free the parameters its
        // replacement took over (use after free: NaN weights, heap corruption). The replaced tree
        // is not finalized; its tensors are still freed by their own finalizers when unreachable.
        foreach (var (_, m) in old.named_modules()) GC.SuppressFinalize(m);
        GC.SuppressFinalize(old);
        if (_optimizer is not null) UpdateOptimizer(old, replacement);
        return old;
    }

    private void UpdateOptimizer(nn.Module old, nn.Module replacement)
    {
        var optimizer = _optimizer!;
        var held = new HashSet<Parameter>(optimizer.parameters(), ReferenceEqualityComparer.Instance);
        var now = replacement.named_parameters().ToList();
        var nowSet = new HashSet<Parameter>(now.Select(p => p.parameter), ReferenceEqualityComparer.Instance);
        var byName = now.ToDictionary(p => p.name, p => p.parameter);
        var map = new Dictionary<Parameter, Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (name, p) in old.named_parameters())
            if (!nowSet.Contains(p) && held.Contains(p) && byName.TryGetValue(name, out var swapped) && !held.Contains(swapped))
                map[p] = swapped;
        if (map.Count > 0) optimizer.ReplaceParameters(map);
        var added = now.Select(p => p.parameter).Where(p => !held.Contains(p) && !map.Values.Contains(p)).ToList();
        if (added.Count > 0) optimizer.add_param_group(new ParamGroup { Parameters = added });
    }

    private nn.Module ReplaceByReflection(string path, nn.Module replacement)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Split('.');
        var parent = _root;
        foreach (var part in parts[..^1])
            parent = parent.named_children().FirstOrDefault(c => c.name == part).module ?? throw new ArgumentException($"No submodule '{path}' in the model (no child '{part}').", nameof(path));
        var old = parent.named_children().FirstOrDefault(c => c.name == parts[^1]).module ?? throw new ArgumentException($"No submodule '{path}' in the model.", nameof(path));
        SubmoduleReplacement.Replace(parent, parts[^1], old, replacement);
        return old;
    }

    /// <summary>
    /// Replaces every submodule for which <paramref name="select"/> returns a replacement (visited
    /// in <c>named_modules()</c> order, outermost first; descendants of a replaced module are skipped).
    /// Returns how many were replaced.
    /// </summary>
    public int ReplaceAll(Func<string, nn.Module, nn.Module?> select)
    {
        ArgumentNullException.ThrowIfNull(select);
        var count = 0;
        var replacedPrefixes = new List<string>();
        foreach (var (path, module) in _root.named_modules().ToList())
        {
            if (replacedPrefixes.Any(p => path.StartsWith(p + ".", StringComparison.Ordinal))) continue;
            var replacement = select(path, module);
            if (replacement is null || ReferenceEquals(replacement, module)) continue;
            Replace(path, replacement);
            replacedPrefixes.Add(path);
            count++;
        }
        return count;
    }

    /// <summary>Adds a line to the report, prefixed with the algorithm's name.</summary>
    public void Note(string what) => _report.Add(string.IsNullOrEmpty(CurrentAlgorithm) ? what : $"{CurrentAlgorithm}: {what}");
}
