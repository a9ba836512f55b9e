using System;
using System.Collections.Generic;
using System.Linq;
using Efficient.Training.Models;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Progressive layer dropping (Zhang and He, 2020; DeepSpeed's <c>progressive_layer_drop</c>):
/// while training, layer l of L is skipped (its input passed through) with probability
/// <c>1 − p_l(t)</c>, where <c>p_l(t) = 1 − l/L·(1 − θ(t))</c> and the global keep ratio
/// <c>θ(t) = (1 − θ̄)·exp(−γ·t) + θ̄</c> decays from 1 towards θ̄ over the optimizer steps t.
/// Deeper layers are dropped more often; a kept layer scales its residual branches by <c>1/p_l</c>
/// (as DeepSpeed); evaluation runs every layer unscaled.
/// </summary>
public static class ProgressiveLayerDrop
{
    /// <summary>θ(t) = (1 − θ̄)·exp(−γ·t) + θ̄, DeepSpeed's schedule.</summary>
    /// <param name="step">The optimizer step t (≥ 0).</param>
    /// <param name="theta">θ̄, the keep ratio the schedule converges to, in (0, 1]. Default 0.5.</param>
    /// <param name="gamma">γ ≥ 0, how fast it gets there. Default 0.001.</param>
    public static double Theta(long step, double theta = 0.5, double gamma = 0.001)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "The step must be >= 0.");
        if (!(theta > 0 && theta <= 1)) throw new ArgumentOutOfRangeException(nameof(theta), theta, "Theta must be in (0, 1].");
        if (!(gamma >= 0) || double.IsInfinity(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "Gamma must be a finite value >= 0.");
        return (1 - theta) * Math.Exp(-gamma * step) + theta;
    }

    /// <summary>The keep probabilities <c>p_l = 1 − l/L·(1 − θ(t))</c> for l = 1..L (the last layer keeps θ(t)).</summary>
    /// <param name="layers">L ≥ 0.</param>
    /// <param name="thetaAtStep">θ(t) in [0, 1] (see <see cref="Theta"/>).</param>
    public static double[] KeepProbabilities(int layers, double thetaAtStep)
    {
        if (layers < 0) throw new ArgumentOutOfRangeException(nameof(layers), layers, "The number of layers must be >= 0.");
        if (!(thetaAtStep >= 0 && thetaAtStep <= 1)) throw new ArgumentOutOfRangeException(nameof(thetaAtStep), thetaAtStep, "θ(t) must be in [0, 1].");
        return Enumerable.Range(1, layers).Select(l => 1 - (double)l / layers * (1 - thetaAtStep)).ToArray();
    }

    /// <summary>
    /// Draws which layers run: layer l is kept when <c>u_l &lt; p_l</c>, with <c>u = rand([L])</c>
    /// from <paramref name="generator"/> (the global generator when null).
    /// </summary>
    public static bool[] SampleKeep(IReadOnlyList<double> keepProbabilities, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(keepProbabilities);
        if (keepProbabilities.Count == 0) return Array.Empty<bool>();
        using var scope = NewDisposeScope();
        var u = rand(new long[] { keepProbabilities.Count }, generator: generator).to_type(ScalarType.Float64).data<double>().ToArray();
        return u.Select((x, i) => x < keepProbabilities[i]).ToArray();
    }

    /// <summary>
    /// Which modules are encoder layers that progressive layer dropping may skip: a policy returns the
    /// layer made droppable (<see cref="Droppable"/>). Built in: every <see cref="IResidualScale"/>
    /// layer taking an attention bias (the library's <see cref="BertLayer"/>). Register a policy for
    /// your own layer type to give it progressive layer dropping.
    /// </summary>
    public static SurgeryPolicyRegistry<LayerDropSwitch> Policies { get; } = NewPolicies();

    /// <summary>
    /// <paramref name="layer"/> made droppable: in training mode it returns its input when the
    /// switch says so, and while it runs with keep probability p it sets its residual factor to
    /// <c>1/p</c> through <paramref name="setResidualScale"/> (or, when that is null and the layer is
    /// an <see cref="IResidualScale"/>, through its <see cref="IResidualScale.ResidualScale"/>);
    /// without either, kept layers run unscaled. The building block of a policy: the layer's index
    /// is the context's <see cref="SurgeryPolicyContext{TOptions}.Index"/>.
    /// </summary>
    /// <param name="layer">The layer (hidden states and an optional attention bias in, hidden states out).</param>
    /// <param name="context">The policy's context (its options are the switch the algorithm drives).</param>
    /// <param name="setResidualScale">Sets the layer's residual factor (1 = none), or null.</param>
    public static nn.Module<Tensor, Tensor?, Tensor> Droppable(nn.Module<Tensor, Tensor?, Tensor> layer, SurgeryPolicyContext<LayerDropSwitch> context, Action<double>? setResidualScale = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(context);
        if (setResidualScale is null && layer is IResidualScale scaled) setResidualScale = s => scaled.ResidualScale = s;
        return new DroppableLayer(layer, context.Index, context.Options, setResidualScale);
    }

    /// <summary>
    /// Makes every layer of <paramref name="model"/> that has a policy in <see cref="Policies"/> (in
    /// module order) droppable, and returns the switch that says which layers run. Call it before
    /// creating the optimizer; then, per training forward, set <see cref="LayerDropSwitch.Keep"/>
    /// (e.g. from <see cref="SampleKeep"/>) and <see cref="LayerDropSwitch.KeepProbabilities"/> (for
    /// the 1/p rescaling of kept layers). In evaluation mode every layer runs.
    /// </summary>
    public static LayerDropSwitch Apply(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Wrap(new ModelSurgery(model));
    }

    internal static LayerDropSwitch Wrap(ModelSurgery surgery)
    {
        var layerSwitch = new LayerDropSwitch();
        layerSwitch.LayerCount = Policies.Apply(surgery, layerSwitch);
        return layerSwitch;
    }

    private static SurgeryPolicyRegistry<LayerDropSwitch> NewPolicies()
    {
        var registry = new SurgeryPolicyRegistry<LayerDropSwitch>();
        registry.Register<IResidualScale>((layer, context) => layer is nn.Module<Tensor, Tensor?, Tensor> module ? Droppable(module, context) : null);
        registry.MarkConverted<DroppableLayer>();
        return registry;
    }
}

/// <summary>Says which of the layers wrapped by <see cref="ProgressiveLayerDrop.Apply"/> run in the next training forward passes.</summary>
public sealed class LayerDropSwitch
{
    private IReadOnlyList<bool>? _keep;
    private IReadOnlyList<double>? _probabilities;

    /// <summary>How many layers were wrapped (L).</summary>
    public int LayerCount { get; internal set; }

    /// <summary>
    /// Per layer (in order), the keep probability p_l the pattern was drawn with; null (the default)
    /// for none. When set, a kept layer scales its residual branches by <c>1 / p_l</c> in training
    /// mode (DeepSpeed's rescaling, so the expected update matches evaluation, where every layer runs).
    /// </summary>
    /// <exception cref="ArgumentException">The list's length is not <see cref="LayerCount"/> or a value is not in (0, 1].</exception>
    public IReadOnlyList<double>? KeepProbabilities
    {
        get => _probabilities;
        set
        {
            if (value is not null && value.Count != LayerCount)
                throw new ArgumentException($"KeepProbabilities has {value.Count} entries; expected one per wrapped layer ({LayerCount}).", nameof(value));
            if (value is not null && value.Any(p => !(p > 0 && p <= 1)))
                throw new ArgumentException($"KeepProbabilities must be in (0, 1] (got {string.Join(", ", value.Select(p => p.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}).", nameof(value));
            _probabilities = value;
        }
    }

    /// <summary>
    /// Per layer (in order), whether it runs in training mode; null (the default) runs all. A skipped
    /// layer returns its input.
    /// </summary>
    /// <exception cref="ArgumentException">The list's length is not <see cref="LayerCount"/>.</exception>
    public IReadOnlyList<bool>? Keep
    {
        get => _keep;
        set
        {
            if (value is not null && value.Count != LayerCount)
                throw new ArgumentException($"Keep has {value.Count} entries; expected one per wrapped layer ({LayerCount}).", nameof(value));
            _keep = value;
        }
    }
}

/// <summary>An encoder layer that returns its input, in training mode, when its switch says so.</summary>
internal sealed class DroppableLayer : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly nn.Module<Tensor, Tensor?, Tensor> layer;
    private readonly int _index;
    private readonly LayerDropSwitch _switch;
    private readonly Action<double>? _setResidualScale;

    public DroppableLayer(nn.Module<Tensor, Tensor?, Tensor> inner, int index, LayerDropSwitch layerSwitch, Action<double>? setResidualScale) : base(nameof(DroppableLayer))
    {
        layer = inner;
        _index = index;
        _switch = layerSwitch;
        _setResidualScale = setResidualScale;
        RegisterComponents();
        train(inner.training);  // a model in eval mode stays in eval mode
    }

    public override Tensor forward(Tensor input, Tensor? attentionBias)
    {
        if (!training) return layer.call(input, attentionBias);
        if (_switch.Keep is { } keep && !keep[_index]) return input;
        if (_switch.KeepProbabilities is not { } p || _setResidualScale is null) return layer.call(input, attentionBias);
        _setResidualScale(1 / p[_index]);
        try
        {
            return layer.call(input, attentionBias);
        }
        finally
        {
            _setResidualScale(1.0);
        }
    }
}
