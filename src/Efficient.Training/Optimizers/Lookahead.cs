using System;
using System.Linq;
using System.Collections.Generic;

namespace Efficient.Training.Optimizers;

/// <summary>
/// Lookahead (Zhang et al., 2019), "k steps forward, 1 step back", as a wrapper around any inner
/// optimizer. The inner optimizer updates the fast weights θ as usual; every <c>k</c> steps the
/// slow weights φ move towards them and the fast weights restart from there:
/// <code>
/// φ ← φ + α·(θ − φ);   θ ← φ
/// </code>
/// φ starts as a copy of θ at the first <see cref="step"/> (the paper's φ₀ = θ₀). The wrapper shares
/// the inner optimizer's parameter groups, so LR schedulers attached to it (or to the inner one)
/// drive the inner updates; <see cref="state_dict"/> holds the inner optimizer's state followed by
/// the slow weights and step counts, so checkpoints save and restore both. Disposing the wrapper
/// disposes the inner optimizer.
/// </summary>
public sealed class Lookahead : OptimizerHelper
{
    private readonly OptimizerHelper _inner;
    private bool _stateHandedOut;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The optimizer of the fast weights (derived from <see cref="OptimizerHelper"/>, so its state can be saved).</param>
    /// <param name="k">Synchronize every <paramref name="k"/> steps, in [1, +inf) (default 5, the paper's).</param>
    /// <param name="alpha">The slow weights' step size α, in [0, 1] (default 0.5, the paper's).</param>
    /// <exception cref="ArgumentException"><paramref name="inner"/> is not an <see cref="OptimizerHelper"/>, or an option is out of range.</exception>
    public Lookahead(optim.Optimizer inner, int k = 5, double alpha = 0.5)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner as OptimizerHelper ?? throw new ArgumentException(
            $"Invalid inner optimizer: a {inner.GetType().Name}; expected an optimizer derived from OptimizerHelper (the built-in and Efficient.Training optimizers are), so its state can be checkpointed.", nameof(inner));
        if (k < 1) throw OptimizerArgs.Invalid(nameof(k), "synchronization period", k.ToString(System.Globalization.CultureInfo.InvariantCulture), "an integer in [1, +inf)", -1);
        if (!(alpha >= 0 && alpha <= 1)) throw OptimizerArgs.Invalid(nameof(alpha), "slow step size", OptimizerArgs.Format(alpha), "a value in [0, 1]", -1);
        this.k = k;
        this.alpha = alpha;
        _parameter_groups = inner.ParamGroups.Cast<ParamGroup>().ToList();
        foreach (var p in parameters()) StateFor(p);
    }

    /// <summary>The optimizer of the fast weights.</summary>
    public optim.Optimizer Inner => _inner;

    /// <summary>The synchronization period.</summary>
    public int k { get; }

    /// <summary>The slow weights' step size α.</summary>
    public double alpha { get; }

    /// <summary>
    /// Takes the inner optimizer's step and, every <see cref="k"/>-th step, moves the slow weights
    /// towards the fast ones and copies them back (<see cref="Interpolate"/>).
    /// </summary>
    /// <returns>The closure's loss, or null without a closure.</returns>
    public override Tensor? step(Func<Tensor>? closure = null)
    {
        var ps = parameters().ToArray();
        var states = ps.Select(StateFor).ToArray();
        if (_stateHandedOut)
        {
            // The state may have been loaded (on the CPU) since: put the inner optimizer's state
            // where its parameters live (the base class does it for the slow weights).
            var inner = _inner.state_dict().State;
            for (var i = 0; i < ps.Length && i < inner.Count; i++)
                if (ps[i].device_type != DeviceType.CPU) OptimizerStates.MoveTo(inner[i], ps[i].device);
            _stateHandedOut = false;
        }
        using (NewDisposeScope())
        using (no_grad())
            for (var i = 0; i < ps.Length; i++)
                if (states[i].slow_weights is null) states[i].slow_weights = ps[i].detach().clone().DetachFromDisposeScope();
        var loss = _inner.step(closure);
        List<Tensor>? fast = null, slow = null;
        for (var i = 0; i < ps.Length; i++)
        {
            if (++states[i].step % k != 0) continue;
            (fast ??= new()).Add(ps[i]);
            (slow ??= new()).Add(states[i].slow_weights!);
        }
        if (fast is not null) Interpolate(fast, slow!, alpha);
        return loss;
    }

    /// <summary>
    /// Lookahead's synchronization as a functional form: for each pair, <c>slow ← slow + α·(fast − slow)</c>,
    /// then <c>fast ← slow</c>, in place and under <c>no_grad</c>.
    /// </summary>
    /// <param name="fast">The fast weights (the model's parameters).</param>
    /// <param name="slow">The slow weights, one per fast tensor, same shapes.</param>
    /// <param name="alpha">The slow step size α, in [0, 1].</param>
    /// <exception cref="ArgumentException">The lists differ in length or shapes, or α is out of range.</exception>
    public static void Interpolate(IReadOnlyList<Tensor> fast, IReadOnlyList<Tensor> slow, double alpha)
    {
        ArgumentNullException.ThrowIfNull(fast);
        ArgumentNullException.ThrowIfNull(slow);
        if (!(alpha >= 0 && alpha <= 1)) throw OptimizerArgs.Invalid(nameof(alpha), "slow step size", OptimizerArgs.Format(alpha), "a value in [0, 1]", -1);
        if (fast.Count != slow.Count) throw new ArgumentException($"Got {fast.Count} fast tensors but {slow.Count} slow ones; expected one slow tensor per fast tensor.", nameof(slow));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (var i = 0; i < fast.Count; i++)
        {
            if (!fast[i].shape.AsSpan().SequenceEqual(slow[i].shape))
                throw new ArgumentException($"Slow tensor {i} has shape [{string.Join(", ", slow[i].shape)}] but its fast tensor has [{string.Join(", ", fast[i].shape)}]; expected equal shapes.", nameof(slow));
            slow[i].add_(fast[i].sub(slow[i]), alpha);
            fast[i].copy_(slow[i]);
        }
    }

    /// <summary>Adds a parameter group to the inner optimizer (which fills and validates its options) and tracks it here.</summary>
    public override void add_param_group(ParamGroup param_group)
    {
        ArgumentNullException.ThrowIfNull(param_group);
        _inner.add_param_group(param_group);
        _parameter_groups.Add(param_group);
        foreach (var p in param_group.Parameters) StateFor(p);
    }

    /// <summary>The inner optimizer's state (its groups' options and its per-parameter states), followed by Lookahead's per-parameter states.</summary>
    public override StateDictionary state_dict()
    {
        foreach (var p in parameters()) StateFor(p);
        _stateHandedOut = true;
        var inner = _inner.state_dict();
        var dict = base.state_dict();   // the shared groups' options, then the slow weights
        dict.State.InsertRange(0, inner.State);
        return dict;
    }

    /// <inheritdoc />
    public override void zero_grad() => _inner.zero_grad();

    /// <summary>Disposes the slow weights and the inner optimizer.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    private State StateFor(Parameter p)
    {
        if (_state.TryGetValue(p.Handle, out var s) && s is State typed && typed.Fits(p.shape)) return typed;
        (s as IDisposable)?.Dispose();
        var fresh = new State();
        _state[p.Handle] = fresh;
        return fresh;
    }

    /// <summary>Lookahead's state of one parameter: its slow weights (null until the first step) and the step count.</summary>
    public sealed class State : SlotState
    {
        /// <summary>An empty state.</summary>
        public State() : base(1) { }

        /// <summary>The slow weights φ.</summary>
        public Tensor? slow_weights { get => GetSlot(0); set => SetSlot(0, value); }
    }
}
