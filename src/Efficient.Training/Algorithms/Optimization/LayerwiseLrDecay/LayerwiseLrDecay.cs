using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Layer-wise learning-rate decay (LLRD; Clark et al., 2020, ELECTRA; Bao et al., 2022, BEiT), the
/// functional form. Each parameter gets a depth l (embeddings 0, encoder layer i at i + 1, the head
/// and everything above the last layer at the top depth L + 1) and trains with
/// <c>lr · decay^(top − l)</c>: the head at the full rate, lower layers at geometrically smaller ones.
/// Two ways to apply it: <see cref="ParameterGroups{TGroup}"/> builds one optimizer parameter group
/// per depth (for a hand-written loop or <c>TrainerOptions.Optimizer</c>; LR schedulers keep the
/// ratios, as they scale each group's initial LR), and <see cref="ScaledStep"/> scales each
/// parameter's update by its factor around any optimizer's step (what <see cref="LayerwiseLrDecayAlgorithm"/>
/// does), which equals the groups exactly for optimizers whose update is linear in the learning rate.
/// </summary>
public static partial class LayerwiseLrDecay
{
    /// <summary>
    /// The default depth of a parameter from its name: 0 for embeddings (a name segment starting
    /// with <c>embed</c>, as <c>embeddings.token.weight</c> of <see cref="Models.BertEncoder"/>),
    /// N + 1 for the N-th layer of a stack (a segment <c>layers</c>, <c>layer</c>, <c>blocks</c> or
    /// <c>block</c> followed by the integer N: <c>layers.3.attention.qkv.weight</c>), and null (the
    /// top depth: heads, final norms, poolers) otherwise.
    /// </summary>
    /// <param name="name">The parameter's name, as <c>named_parameters()</c> gives it.</param>
    public static int? DefaultDepth(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var layer = LayerPattern().Match(name);
        if (layer.Success) return int.Parse(layer.Groups[1].Value, CultureInfo.InvariantCulture) + 1;
        return name.Split('.').Any(s => s.StartsWith("embed", StringComparison.OrdinalIgnoreCase)) ? 0 : null;
    }

    /// <summary>
    /// The depth of every name: <paramref name="depthOf"/> (default <see cref="DefaultDepth"/>) gives
    /// a depth ≥ 0, or null for "the top"; the top depth is one more than the largest depth given
    /// (or that largest depth when every name has one).
    /// </summary>
    /// <param name="names">The parameter names.</param>
    /// <param name="depthOf">The depth of a name (null result: the top); default <see cref="DefaultDepth"/>.</param>
    /// <returns>The depth of each name, and the top depth.</returns>
    /// <exception cref="ArgumentException"><paramref name="depthOf"/> returned a negative depth.</exception>
    public static (IReadOnlyDictionary<string, int> Depths, int Top) Depths(IEnumerable<string> names, Func<string, int?>? depthOf = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        depthOf ??= DefaultDepth;
        var given = new Dictionary<string, int?>();
        foreach (var name in names)
        {
            var d = depthOf(name);
            if (d < 0) throw new ArgumentException($"The depth of parameter '{name}' is {d}; expected a depth >= 0 (or null for the top).", nameof(depthOf));
            given[name] = d;
        }
        var max = given.Values.Where(d => d.HasValue).Select(d => d!.Value).DefaultIfEmpty(-1).Max();
        var top = given.Values.Any(d => !d.HasValue) ? max + 1 : Math.Max(max, 0);
        return (given.ToDictionary(kv => kv.Key, kv => kv.Value ?? top), top);
    }

    /// <summary>The learning-rate factor <c>decay^(top − depth)</c> of every parameter of <paramref name="model"/>, by name.</summary>
    /// <param name="model">The model.</param>
    /// <param name="decay">The decay per layer, in (0, 1] (1: no decay; ELECTRA used 0.8, BEiT 0.65–0.75).</param>
    /// <param name="depthOf">The depth of a parameter name (null result: the top); default <see cref="DefaultDepth"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="decay"/> is out of range, or a depth is negative.</exception>
    public static IReadOnlyDictionary<string, double> Factors(nn.Module model, double decay, Func<string, int?>? depthOf = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckDecay(decay);
        var (depths, top) = Depths(model.named_parameters().Select(p => p.name), depthOf);
        return depths.ToDictionary(kv => kv.Key, kv => Math.Pow(decay, top - kv.Value));
    }

    /// <summary>
    /// One optimizer parameter group per depth (shallowest first), each at learning rate
    /// <c>learningRate · decay^(top − depth)</c>, built by <paramref name="makeGroup"/> so it works
    /// with any optimizer:
    /// <c>optim.AdamW(LayerwiseLrDecay.ParameterGroups(model, 1e-4, 0.8, (ps, lr) =&gt; new AdamW.ParamGroup(ps, lr)))</c>
    /// or <c>new Lamb(LayerwiseLrDecay.ParameterGroups(model, 1e-3, 0.8, (ps, lr) =&gt; new ParamGroup&lt;Lamb.Options&gt;(ps, new Lamb.Options { LearningRate = lr })))</c>.
    /// </summary>
    /// <typeparam name="TGroup">The optimizer's parameter-group type.</typeparam>
    /// <param name="model">The model.</param>
    /// <param name="learningRate">The head's (top) learning rate, in [0, +inf).</param>
    /// <param name="decay">The decay per layer, in (0, 1].</param>
    /// <param name="makeGroup">Builds a group from its parameters and learning rate.</param>
    /// <param name="depthOf">The depth of a parameter name (null result: the top); default <see cref="DefaultDepth"/>.</param>
    /// <exception cref="ArgumentException">A value is out of range, or a depth is negative.</exception>
    public static IReadOnlyList<TGroup> ParameterGroups<TGroup>(nn.Module model, double learningRate, double decay, Func<IEnumerable<Parameter>, double, TGroup> makeGroup, Func<string, int?>? depthOf = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(makeGroup);
        if (!(learningRate >= 0) || double.IsPositiveInfinity(learningRate))
            throw new ArgumentException($"learningRate = {learningRate.ToString("R", CultureInfo.InvariantCulture)} is invalid; expected a finite value >= 0.", nameof(learningRate));
        CheckDecay(decay);
        var named = model.named_parameters().ToList();
        var (depths, top) = Depths(named.Select(p => p.name), depthOf);
        return named.GroupBy(p => depths[p.name]).OrderBy(g => g.Key)
            .Select(g => makeGroup(g.Select(p => p.parameter).ToList(), learningRate * Math.Pow(decay, top - g.Key)))
            .ToList();
    }

    /// <summary>
    /// Runs <paramref name="step"/> (an optimizer step) and then scales each listed parameter's
    /// change by its factor: <c>p ← p₀ + factor · (p − p₀)</c>, with p₀ the value before the step
    /// (a copy of each parameter whose factor is not 1 is kept during the step). For SGD (with
    /// momentum, coupled weight decay), Adam and AdamW the update is linear in the learning rate, so
    /// this equals training that parameter at <c>lr · factor</c>; for optimizers that are not (LAMB's
    /// and LARS's trust ratios, decoupled weight decay tied to the initial LR) it is an approximation.
    /// </summary>
    /// <param name="parameters">The parameters with their factors, each in [0, +inf).</param>
    /// <param name="step">The step to run (e.g. <c>() =&gt; optimizer.step()</c>).</param>
    /// <exception cref="ArgumentException">A factor is negative or not finite.</exception>
    public static void ScaledStep(IEnumerable<(Tensor Parameter, double Factor)> parameters, Action step)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(step);
        var list = parameters.ToList();
        foreach (var (p, f) in list)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parameters));
            if (!(f >= 0) || double.IsPositiveInfinity(f))
                throw new ArgumentException($"A factor is {f.ToString("R", CultureInfo.InvariantCulture)}; expected a finite value >= 0.", nameof(parameters));
        }
        using var scope = NewDisposeScope();
        var before = new List<(Tensor p, double f, Tensor old)>();
        using (no_grad())
            foreach (var (p, f) in list)
                if (f != 1) before.Add((p, f, p.detach().clone()));
        step();
        using (no_grad())
            foreach (var (p, f, old) in before)
            {
                var delta = p.detach().sub(old);
                p.detach().copy_(old.add_(delta, f));
            }
    }

    internal static void CheckDecay(double decay)
    {
        if (!(decay > 0 && decay <= 1))
            throw new ArgumentException($"decay = {decay.ToString("R", CultureInfo.InvariantCulture)} is invalid; expected a value in (0, 1].", nameof(decay));
    }

    [GeneratedRegex(@"(?:^|\.)(?:layers|layer|blocks|block)\.(\d+)(?:\.|$)")]
    private static partial Regex LayerPattern();
}
