using System;
using System.Linq;
using System.Collections.Generic;
using System.IO;

namespace Efficient.Training.Optimizers;

/// <summary>
/// The per-parameter state of the optimizers in <see cref="Efficient.Training.Optimizers"/>: a step
/// count and a fixed number of tensor slots (momentum buffer, moments, slow weights, ...), each null
/// until the parameter's first update. It saves, loads, copies and moves itself, so
/// <c>state_dict()</c> / <c>load_state_dict()</c> and the Trainer's checkpoints work unchanged.
/// </summary>
public abstract class SlotState : OptimizerState, IDisposable
{
    private readonly Tensor?[] _slots;

    /// <summary>Creates a state with <paramref name="slots"/> empty tensor slots.</summary>
    /// <param name="slots">How many tensors the state holds (at least 1).</param>
    protected SlotState(int slots) : base(null!)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        _slots = new Tensor?[slots];
    }

    /// <summary>How many updates the parameter has had (PyTorch's <c>state['step']</c>).</summary>
    public long step { get; set; }

    /// <summary>The tensor in slot <paramref name="index"/> (null until created).</summary>
    protected Tensor? GetSlot(int index) => _slots[index];

    /// <summary>Puts <paramref name="value"/> (owned by the state from now on) in slot <paramref name="index"/>, disposing the old tensor.</summary>
    protected void SetSlot(int index, Tensor? value)
    {
        if (ReferenceEquals(_slots[index], value)) return;
        _slots[index]?.Dispose();
        _slots[index] = value;
    }

    /// <summary>Slot <paramref name="index"/>, created as zeros shaped like <paramref name="like"/> when empty.</summary>
    internal Tensor ZerosIfEmpty(int index, Tensor like)
        => _slots[index] ??= zeros_like(like).DetachFromDisposeScope();

    /// <summary>
    /// Advances the momentum buffer b in slot <paramref name="index"/> by <paramref name="value"/>:
    /// b ← value at the first update (the state keeps a clone, or with <paramref name="adopt"/> the
    /// tensor itself), b ← momentum·b + scale·value after, in place.
    /// </summary>
    /// <returns>The updated buffer.</returns>
    internal Tensor MomentumStep(int index, Tensor value, double momentum, double scale, bool adopt)
    {
        if (_slots[index] is not { } buffer)
            return _slots[index] = (adopt ? value : value.clone()).DetachFromDisposeScope();
        buffer.mul_(momentum).add_(value, scale);
        return buffer;
    }

    /// <summary>Nothing to do: the slots are created at the parameter's first update.</summary>
    public override void Initialize(OptimizerOptions options) { }

    /// <inheritdoc />
    public override void SaveStateDict(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(step);
        foreach (var t in _slots) SaveConditionalStateTensor(writer, t);
    }

    /// <inheritdoc />
    public override void LoadStateDict(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        step = reader.ReadInt64();
        for (var i = 0; i < _slots.Length; i++) LoadConditionalStateTensor(reader, ref _slots[i], CPU);   // moved to the parameter's device at the next step
    }

    /// <inheritdoc />
    public override void LoadStateDict(OptimizerState source)
    {
        if (source is not SlotState s || s.GetType() != GetType())
            throw new ArgumentException($"Expected a {OptimizerArgs.TypeName(this)}, got {OptimizerArgs.TypeName(source)}.", nameof(source));
        step = s.step;
        for (var i = 0; i < _slots.Length; i++)
        {
            if (ReferenceEquals(_slots[i], s._slots[i])) continue;
            Tensor? copy = null;
            if (s._slots[i] is { } t)
                using (no_grad()) copy = t.detach().clone().DetachFromDisposeScope();
            SetSlot(i, copy);
        }
    }

    /// <inheritdoc />
    public override bool ApproximatelyEquals(OptimizerState other)
    {
        if (other is not SlotState s || s.GetType() != GetType() || s.step != step) return false;
        for (var i = 0; i < _slots.Length; i++)
        {
            var (a, b) = (_slots[i], s._slots[i]);
            if (a is null != b is null) return false;
            if (a is not null && !a.allclose(b!)) return false;
        }
        return true;
    }

    /// <inheritdoc />
    public override void to(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        for (var i = 0; i < _slots.Length; i++)
        {
            var t = _slots[i];
            if (t is null || (t.device_type == device.type && (device.index < 0 || t.device_index == device.index))) continue;
            var moved = t.to(device).DetachFromDisposeScope();
            t.Dispose();
            _slots[i] = moved;
        }
    }

    /// <summary>Whether every slot fits a parameter of shape <paramref name="shape"/> (empty slots always fit).</summary>
    internal bool Fits(long[] shape)
    {
        foreach (var t in _slots)
            if (t is not null && !t.shape.AsSpan().SequenceEqual(shape)) return false;
        return true;
    }

    /// <summary>Disposes the state tensors.</summary>
    public void Dispose()
    {
        for (var i = 0; i < _slots.Length; i++) SetSlot(i, null);
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// The base of the optimizers in <see cref="Efficient.Training.Optimizers"/>: typed options per
/// parameter group (unset ones taken from the defaults, then validated), a <see cref="SlotState"/>
/// per parameter, and a <c>step()</c> that updates each group with in-place tensor operations under
/// <c>no_grad</c> inside a dispose scope. Derives from the binding's <see cref="OptimizerHelper"/>,
/// so LR schedulers (<c>ParamGroups</c>), <c>state_dict()</c>/<c>load_state_dict()</c> and the
/// Trainer's checkpoints work as with the built-in optimizers.
/// </summary>
/// <typeparam name="TOptions">The options of a parameter group.</typeparam>
/// <typeparam name="TState">The state of a parameter.</typeparam>
public abstract class SlotOptimizer<TOptions, TState> : OptimizerHelper
    where TOptions : OptimizerOptions, new()
    where TState : SlotState, new()
{
    private readonly string _name;

    /// <summary>Validates <paramref name="defaults"/> and adds the groups.</summary>
    /// <param name="name">The optimizer's name, for messages.</param>
    /// <param name="parameters">The parameter groups.</param>
    /// <param name="defaults">The options every group gets for what it leaves unset (must have a learning rate).</param>
    /// <exception cref="ArgumentException">An option is out of range, or there is no parameter.</exception>
    private protected SlotOptimizer(string name, IEnumerable<ParamGroup> parameters, TOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _name = name;
        defaults.InitialLearningRate = defaults.LearningRate ?? 0;
        Validate(defaults, -1);
        _defaults = defaults;
        _parameter_groups ??= new List<ParamGroup>();   // TorchSharp's OptimizerHelper starts without a list
        foreach (var group in parameters) add_param_group(group);
        if (!this.parameters().Any()) throw new ArgumentException("The optimizer got an empty parameter list.", nameof(parameters));
    }

    /// <summary>The one parameter group of the single-group constructors, with no options of its own.</summary>
    private protected static ParamGroup[] SingleGroup(IEnumerable<Parameter> parameters)
        => new ParamGroup[] { new ParamGroup<TOptions>(parameters ?? throw new ArgumentNullException(nameof(parameters))) };

    /// <summary>Fills the options <paramref name="options"/> leaves unset from <paramref name="defaults"/>.</summary>
    private protected abstract void FillDefaults(TOptions options, TOptions defaults);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option (<paramref name="group"/> -1: the defaults).</summary>
    private protected abstract void Validate(TOptions options, int group);

    /// <summary>Updates the parameters of one group (called under <c>no_grad</c>, inside a dispose scope).</summary>
    private protected abstract void StepGroup(Parameter[] parameters, TOptions options);

    /// <summary>Applies <paramref name="set"/> to the default options and to the options of every existing group.</summary>
    private protected void SetAll(Action<TOptions> set)
    {
        set((TOptions)_defaults);
        foreach (var g in _parameter_groups) set((TOptions)g.Options);
    }

    /// <summary>
    /// Adds a parameter group: options it leaves unset take the optimizer's defaults, then all are
    /// validated. The group's initial learning rate (the base of the decoupled weight decay's
    /// schedule) is its learning rate.
    /// </summary>
    /// <exception cref="ArgumentException">The group's options are of another optimizer, or out of range.</exception>
    public override void add_param_group(ParamGroup param_group)
    {
        ArgumentNullException.ThrowIfNull(param_group);
        TOptions opt;
        switch (param_group.Options)
        {
            case null:   // a group without options takes the defaults
                opt = new TOptions();
                param_group.Options = opt;
                break;
            case TOptions typed:
                opt = typed;
                break;
            default:
                throw new ArgumentException($"A {_name} parameter group needs {_name}.Options, not {OptimizerArgs.TypeName(param_group.Options)}.", nameof(param_group));
        }
        opt.LearningRate ??= _defaults.LearningRate;
        FillDefaults(opt, (TOptions)_defaults);
        opt.InitialLearningRate = opt.LearningRate!.Value;
        Validate(opt, _parameter_groups.Count);
        base.add_param_group(param_group);
        foreach (var p in param_group.Parameters) StateFor(p);
    }

    /// <summary>The state of <paramref name="p"/>, created (empty) when missing or when it does not fit the parameter's shape.</summary>
    private protected TState StateFor(Parameter p)
    {
        if (_state.TryGetValue(p.Handle, out var s) && s is TState typed && typed.Fits(p.shape)) return typed;
        (s as IDisposable)?.Dispose();
        var fresh = new TState();
        _state[p.Handle] = fresh;
        return fresh;
    }

    /// <inheritdoc />
    public override StateDictionary state_dict()
    {
        foreach (var group in _parameter_groups)
            foreach (var p in group.Parameters) StateFor(p);
        return base.state_dict();
    }

    /// <inheritdoc />
    public override Tensor? step(Func<Tensor>? closure = null)
        => _step<ParamGroup>(group =>
        {
            var ps = group.Parameters as Parameter[] ?? group.Parameters.ToArray();
            if (ps.Length > 0) StepGroup(ps, (TOptions)group.Options);
        }, closure);
}
