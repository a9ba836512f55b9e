using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// What the sparse-weight algorithms (<see cref="MagnitudePruningAlgorithm"/>, <see cref="RigLAlgorithm"/>)
/// share: the selected weights, by name, in model order, and their masks (1 = kept, 0 = zero; one per
/// weight, with its shape). It selects the weights at fit start, multiplies weights and gradients by the
/// masks, owns the masks (disposes them when replaced), checkpoints them as <c>"mask/&lt;weight name&gt;"</c>
/// in <see cref="AlgorithmState.Tensors"/>, and reports the sparsity reached.
/// </summary>
internal sealed class WeightMasks
{
    private const string KeyPrefix = "mask/";

    private readonly List<string> _names = new();
    private readonly List<Parameter> _weights = new();

    /// <summary>How many weights are selected.</summary>
    public int Count => _weights.Count;

    /// <summary>The selected weights' names (<c>&lt;module&gt;.weight</c>), in model order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The selected weights, in model order.</summary>
    public IReadOnlyList<Parameter> Weights => _weights;

    /// <summary>How many elements the selected weights have together.</summary>
    public long Elements => _weights.Sum(w => w.numel());

    /// <summary>The masks, in the order of <see cref="Weights"/>; null until set or loaded.</summary>
    public Tensor[]? Masks { get; private set; }

    /// <summary>
    /// Forgets the weights and masks, then selects the <c>weight</c> of each <see cref="Linear"/> or
    /// <see cref="Convolution"/> submodule (as <paramref name="layers"/> says) that is not named in
    /// <paramref name="excludeNames"/> (itself or a parent) and that <paramref name="keepDense"/>
    /// (index among the candidates, number of candidates) does not keep dense.
    /// </summary>
    public void Select(nn.Module model, PrunableLayers layers, IEnumerable<string> excludeNames, Func<int, int, bool> keepDense)
    {
        _names.Clear();
        _weights.Clear();
        DisposeMasks();
        var candidates = model.named_modules()
            .Where(m => m.name.Length > 0 && IsMaskable(m.module, layers))
            .ToList();
        for (var i = 0; i < candidates.Count; i++)
        {
            var (name, module) = candidates[i];
            if (keepDense(i, candidates.Count)) continue;
            if (excludeNames.Any(x => name == x || name.StartsWith(x + ".", StringComparison.Ordinal))) continue;
            var weight = module.named_parameters(recurse: false).FirstOrDefault(p => p.name == "weight").parameter;
            if (weight is null) continue;
            _names.Add(name + ".weight");
            _weights.Add(weight);
        }
    }

    /// <summary>Takes <paramref name="masks"/> (one per weight, detached from any dispose scope) in place of the current ones, which are disposed.</summary>
    public void Replace(Tensor[] masks)
    {
        foreach (var m in masks) m.DetachFromDisposeScope();
        DisposeMasks();
        Masks = masks;
    }

    /// <summary>Multiplies each weight's gradient (where there is one) by its mask; nothing before there are masks.</summary>
    public void MaskGradients()
    {
        if (Masks is null) return;
        using var _ = no_grad();
        for (var i = 0; i < _weights.Count; i++)
            if (_weights[i].grad is { } g) g.mul_(Masks[i]);
    }

    /// <summary>Multiplies each weight by its mask, in place; nothing before there are masks.</summary>
    public void ApplyToWeights()
    {
        if (Masks is null) return;
        using var _ = no_grad();
        for (var i = 0; i < _weights.Count; i++) _weights[i].mul_(Masks[i]);
    }

    /// <summary>Disposes the masks (there are none after).</summary>
    public void DisposeMasks()
    {
        if (Masks is null) return;
        foreach (var m in Masks) m.Dispose();
        Masks = null;
    }

    /// <summary>Writes the masks, if any, to <paramref name="state"/> as <c>"mask/&lt;weight name&gt;"</c>.</summary>
    public void Save(AlgorithmState state)
    {
        if (Masks is null) return;
        for (var i = 0; i < _weights.Count; i++) state.Tensors[KeyPrefix + _names[i]] = Masks[i];
    }

    /// <summary>
    /// Disposes the masks and reads them back from <paramref name="state"/> (none if it holds no mask), each
    /// moved to its weight's device (and, with <paramref name="matchDtype"/>, cast to its dtype).
    /// </summary>
    /// <param name="state">The checkpointed state.</param>
    /// <param name="algorithm">The algorithm's name, which starts the error messages.</param>
    /// <param name="weightsKind">What the messages call the weights (<c>prunable</c>, <c>sparse</c>).</param>
    /// <param name="matchDtype">Cast each mask to its weight's dtype.</param>
    /// <exception cref="InvalidOperationException">A weight has no mask in the checkpoint, or a mask of another shape.</exception>
    public void Load(AlgorithmState state, string algorithm, string weightsKind, bool matchDtype)
    {
        DisposeMasks();
        if (!state.Tensors.Keys.Any(k => k.StartsWith(KeyPrefix, StringComparison.Ordinal))) return;
        var masks = new Tensor[_weights.Count];
        for (var i = 0; i < _weights.Count; i++)
        {
            var (name, weight) = (_names[i], _weights[i]);
            if (!state.Tensors.TryGetValue(KeyPrefix + name, out var m))
                throw new InvalidOperationException($"{algorithm}: the checkpoint has no mask for '{name}'; it was written for other {weightsKind} weights ({string.Join(", ", state.Tensors.Keys)}).");
            if (!m.shape.SequenceEqual(weight.shape))
                throw new InvalidOperationException($"{algorithm}: the checkpointed mask of '{name}' has shape [{string.Join(", ", m.shape)}]; expected [{string.Join(", ", weight.shape)}].");
            var moved = m.to(weight.device);
            masks[i] = (matchDtype ? moved.to_type(weight.dtype) : moved).DetachFromDisposeScope();
        }
        Masks = masks;
    }

    /// <summary>The sparsity the selected weights have now, per layer and in total.</summary>
    public SparsityReport Report() => MagnitudePruning.Measure(_names.Zip(_weights, (n, w) => (n, (Tensor)w)));

    /// <summary>
    /// At <see cref="TrainingEvent.FitEnd"/>, when weights are selected: stores the <see cref="Report"/> in
    /// <see cref="TrainingState.Items"/> under <paramref name="reportKey"/> and adds
    /// <paramref name="note"/>'s line about it to the surgery report.
    /// </summary>
    public void OnFitEnd(TrainingEvent trainingEvent, TrainingState state, string reportKey, ModelSurgery? surgery, Func<SparsityReport, string> note)
    {
        if (trainingEvent != TrainingEvent.FitEnd || _weights.Count == 0) return;
        ArgumentNullException.ThrowIfNull(state);
        var report = Report();
        state.Items[reportKey] = report;
        surgery?.Note(note(report));
    }

    private static bool IsMaskable(nn.Module module, PrunableLayers layers) =>
        (module is Linear && layers.HasFlag(PrunableLayers.Linear))
        || (module is Convolution && layers.HasFlag(PrunableLayers.Convolution));
}
