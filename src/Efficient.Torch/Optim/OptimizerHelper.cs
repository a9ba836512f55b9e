using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Efficient.Torch.Optim;
using static Efficient.Torch.torch;
using static Efficient.Torch.torch.optim;

namespace Efficient.Torch.Modules;

/// <summary>
/// The base of the managed optimizers: parameter groups with typed options, per-parameter state,
/// <c>state_dict()</c> / <c>load_state_dict()</c> (in memory, to a stream or a file) and
/// <see cref="_step{T}"/>, a helper for writing <c>step()</c> of a custom optimizer.
/// </summary>
public abstract class OptimizerHelper : Optimizer
{
    /// <summary>Creates an optimizer with no groups; the derived constructor sets <see cref="_defaults"/> and adds the groups.</summary>
    protected OptimizerHelper() : base(IntPtr.Zero) { }

    /// <summary>The options a parameter group gets for every option it leaves unset.</summary>
    protected OptimizerOptions _defaults = new();

    /// <summary>The state of each parameter, keyed by the parameter's <see cref="Tensor.Handle"/>.</summary>
    protected Utils.OrderedDict<IntPtr, OptimizerState> _state = new();

    /// <summary>Saves the optimizer's state (options of each group, state of each parameter) to a file.</summary>
    public void save_state_dict(string location)
    {
        using var stream = File.Create(location);
        using var writer = new BinaryWriter(stream);
        save_state_dict(writer);
        writer.Flush();
    }

    /// <summary>Loads state saved by <see cref="save_state_dict(string)"/> from a file.</summary>
    /// <remarks>The format is this library's own; state saved by PyTorch cannot be read.</remarks>
    public void load_state_dict(string location)
    {
        using var stream = File.OpenRead(location);
        using var reader = new BinaryReader(stream);
        load_state_dict(reader);
    }

    /// <summary>
    /// Writes the optimizer's state to a stream: the optimizer's type name, the number of groups and
    /// of parameter states, then each group's options and each parameter's state (tensors as dtype,
    /// sizes and raw bytes).
    /// </summary>
    public void save_state_dict(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var sd = state_dict();
        writer.Write(GetType().Name);
        writer.Write(sd.Options.Count);
        writer.Write(sd.State.Count);
        foreach (var options in sd.Options) options.SaveStateDict(writer);
        foreach (var state in sd.State) state.SaveStateDict(writer);
    }

    /// <summary>
    /// Reads state written by <see cref="save_state_dict(BinaryWriter)"/> into this optimizer, which
    /// must be of the same type with the same number of groups and parameters.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream holds another optimizer's state or is damaged.</exception>
    public void load_state_dict(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var name = reader.ReadString();
        if (name != GetType().Name)
            throw new InvalidDataException($"Mismatched optimizer type: the stream holds the state of a {name}, but this optimizer is a {GetType().Name}.");
        var groups = reader.ReadInt32();
        var states = reader.ReadInt32();
        var sd = state_dict();
        if (groups != sd.Options.Count)
            throw new InvalidDataException($"Invalid optimizer state: the stream holds {groups} parameter groups, but this optimizer has {sd.Options.Count}.");
        if (states != sd.State.Count)
            throw new InvalidDataException($"Invalid optimizer state: the stream holds the state of {states} parameters, but this optimizer has {sd.State.Count}.");
        foreach (var options in sd.Options) options.LoadStateDict(reader);
        foreach (var state in sd.State) state.LoadStateDict(reader);
        AfterLoad();
    }

    /// <summary>
    /// Copies <paramref name="state_dict"/> (from <see cref="state_dict()"/> of an optimizer of the
    /// same type and layout) into this optimizer. Options and state tensors are copied, so the two
    /// optimizers do not share anything afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">The number of groups or parameters differs, or a state does not fit its parameter.</exception>
    public virtual void load_state_dict(StateDictionary state_dict)
    {
        ArgumentNullException.ThrowIfNull(state_dict);
        var sd = this.state_dict();
        if (state_dict.Options.Count != sd.Options.Count)
            throw new ArgumentException($"Invalid optimizer state: it has {state_dict.Options.Count} parameter groups, but this optimizer has {sd.Options.Count}.", nameof(state_dict));
        if (state_dict.State.Count != sd.State.Count)
            throw new ArgumentException($"Invalid optimizer state: it has the state of {state_dict.State.Count} parameters, but this optimizer has {sd.State.Count}.", nameof(state_dict));
        for (var i = 0; i < sd.Options.Count; i++)
        {
            if (state_dict.Options[i] is null || state_dict.Options[i].GetType() != sd.Options[i].GetType())
                throw new ArgumentException($"Invalid optimizer state: the options of group {i} are a {state_dict.Options[i]?.GetType().Name ?? "null"}, expected {sd.Options[i].GetType().Name}.", nameof(state_dict));
            if (!ReferenceEquals(sd.Options[i], state_dict.Options[i])) sd.Options[i].LoadStateDict(state_dict.Options[i]);
        }
        for (var i = 0; i < sd.State.Count; i++)
        {
            if (state_dict.State[i] is null || state_dict.State[i].GetType() != sd.State[i].GetType())
                throw new ArgumentException($"Invalid optimizer state: the state of parameter {i} is a {state_dict.State[i]?.GetType().Name ?? "null"}, expected {sd.State[i].GetType().Name}.", nameof(state_dict));
            if (!ReferenceEquals(sd.State[i], state_dict.State[i])) sd.State[i].LoadStateDict(state_dict.State[i]);
        }
        AfterLoad();
    }

    /// <summary>Checks that loaded state fits the parameters and moves it to their devices.</summary>
    private void AfterLoad()
    {
        var index = 0;
        foreach (var group in _parameter_groups)
        {
            foreach (var p in group.Parameters)
            {
                var state = StateOf(p);
                if (!state.IsCompatibleWith(p))
                    throw new ArgumentException($"Invalid optimizer state: the state of parameter {index} does not fit the parameter's shape [{string.Join(", ", p.shape)}].", "state_dict");
                state.to(p.device);
                index++;
            }
        }
    }

    /// <summary>
    /// The optimizer's state: the options of each group and the state of each parameter, in group
    /// order. These are the live objects (as in PyTorch and TorchSharp); pass them to another
    /// optimizer's <see cref="load_state_dict(StateDictionary)"/> to copy them.
    /// </summary>
    public virtual StateDictionary state_dict()
    {
        ThrowIfDisposed();
        var dict = new StateDictionary();
        foreach (var group in _parameter_groups)
        {
            dict.Options.Add(group.Options);
            foreach (var p in group.Parameters) dict.State.Add(StateOf(p));
        }
        return dict;
    }

    /// <summary>Moves all state tensors to <paramref name="device"/>.</summary>
    public void to(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        foreach (var (_, state) in _state) state.to(device);
    }

    /// <inheritdoc />
    public override void zero_grad(bool set_to_none = true) => base.zero_grad(set_to_none);

    /// <summary>
    /// Support for <c>step()</c> of a custom optimizer: evaluates the closure (with gradients
    /// enabled), then runs <paramref name="body"/> for each parameter group with gradients disabled
    /// inside a dispose scope, and returns the closure's loss.
    /// </summary>
    /// <typeparam name="T">The parameter-group type in use.</typeparam>
    protected Tensor? _step<T>(Action<T> body, Func<Tensor>? loss_closure = null) where T : ParamGroup
    {
        ArgumentNullException.ThrowIfNull(body);
        var loss = EvaluateClosure(loss_closure);
        using (no_grad())
        using (NewDisposeScope())
        {
            foreach (var group in _parameter_groups)
            {
                if (group is not T typed)
                    throw new InvalidOperationException($"{GetType().Name}: a parameter group is a {group.GetType().Name}, expected a {typeof(T).Name}.");
                body(typed);
            }
        }
        return loss;
    }

    /// <summary>Calls the closure (if any) with gradients enabled and returns its loss.</summary>
    private protected Tensor? EvaluateClosure(Func<Tensor>? closure)
    {
        ThrowIfDisposed();
        if (closure is null) return null;
        using (enable_grad()) return closure();
    }

    /// <inheritdoc />
    public override IEnumerable<Parameter> parameters() => _parameter_groups.SelectMany(g => g.Parameters);

    /// <summary>
    /// Adds a parameter group as it is (options unchanged). Derived optimizers override this to fill
    /// the options the group leaves unset from <see cref="_defaults"/> and to validate them.
    /// </summary>
    public override void add_param_group(ParamGroup param_group)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(param_group);
        var ps = param_group.Parameters?.ToArray() ?? throw new ArgumentException("The parameter group has no parameter list.", nameof(param_group));
        for (var i = 0; i < ps.Length; i++)
        {
            if (ps[i] is null) throw new ArgumentException($"Parameter {i} of the parameter group is null.", nameof(param_group));
            if (!ps[i].is_leaf) throw new ArgumentException($"Parameter {i} of the parameter group is not a leaf tensor; an optimizer can only update leaves.", nameof(param_group));
        }
        param_group.Parameters = ps;
        _parameter_groups.Add(param_group);
        try { CheckNoDuplicates(); }
        catch
        {
            _parameter_groups.RemoveAt(_parameter_groups.Count - 1);
            throw;
        }
        foreach (var p in ps)
            if (!_state.ContainsKey(p.Handle)) _state[p.Handle] = NewState(p);
    }

    /// <summary>
    /// Creates the (empty) state of a parameter. The built-in optimizers override this; a custom
    /// optimizer that keeps its state elsewhere can leave it.
    /// </summary>
    private protected virtual OptimizerState NewState(Parameter parameter) => new EmptyState();

    /// <summary>The state of <paramref name="p"/>, created when missing (a parameter added by assigning <see cref="ParamGroup.Parameters"/>).</summary>
    private protected OptimizerState StateOf(Parameter p)
    {
        var key = p.Handle;
        if (!_state.TryGetValue(key, out var state))
        {
            state = NewState(p);
            _state[key] = state;
        }
        return state;
    }

    /// <summary>Gives a group's parameters as an array (materializing a lazy sequence once).</summary>
    private protected static Parameter[] ParametersOf(ParamGroup group)
    {
        if (group.Parameters is Parameter[] array) return array;
        array = group.Parameters.ToArray();
        group.Parameters = array;
        return array;
    }

    internal override int ReplaceParametersCore(IReadOnlyDictionary<Parameter, Parameter> map)
    {
        ThrowIfDisposed();
        var moves = new List<(IntPtr from, Parameter to)>();
        foreach (var group in _parameter_groups)
        {
            foreach (var p in group.Parameters)
            {
                if (!map.TryGetValue(p, out var to)) continue;
                if (p.IsInvalid)
                    throw new ArgumentException("A parameter to replace has already been disposed; replace parameters in the optimizer before disposing the old ones.", nameof(map));
                moves.Add((p.Handle, to));
            }
        }
        if (moves.Count == 0) return 0;

        var replaced = base.ReplaceParametersCore(map);   // validates before changing anything

        var states = moves.Select(m => _state.TryGetValue(m.from, out var s) ? s : null).ToArray();
        foreach (var (from, _) in moves) _state.Remove(from);
        for (var i = 0; i < moves.Count; i++)
        {
            var (state, to) = (states[i], moves[i].to);
            if (_state.TryGetValue(to.Handle, out var stale)) (stale as IDisposable)?.Dispose();   // left from an earlier removal
            if (state is not null && state.IsCompatibleWith(to))
            {
                state.to(to.device);
                _state[to.Handle] = state;
            }
            else
            {
                (state as IDisposable)?.Dispose();
                _state[to.Handle] = NewState(to);
            }
        }
        return replaced;
    }

    /// <summary>Disposes the state tensors.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var (_, state) in _state) (state as IDisposable)?.Dispose();
            _state.Clear();
        }
        base.Dispose(disposing);
    }

    private sealed class EmptyState : OptimizerState
    {
        public override void SaveStateDict(BinaryWriter writer) { }
        public override void LoadStateDict(BinaryReader reader) { }
        public override void LoadStateDict(OptimizerState source) { }
    }
}

/// <summary>
/// The options (hyper-parameters) of a parameter group. Derived optimizers add their own as
/// nullable public fields; null means "use the optimizer's default".
/// </summary>
public class OptimizerOptions
{
    /// <summary>The learning rate (null until the group is added to an optimizer without one).</summary>
    public double? LearningRate { get; set; }

    /// <summary>The learning rate the group started with.</summary>
    public double InitialLearningRate { get; set; }

    /// <summary>Writes the options to a stream.</summary>
    public virtual void SaveStateDict(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(InitialLearningRate);
        writer.Write(LearningRate ?? double.NaN);
    }

    /// <summary>Reads options written by <see cref="SaveStateDict(BinaryWriter)"/>.</summary>
    public virtual void LoadStateDict(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        InitialLearningRate = reader.ReadDouble();
        var lr = reader.ReadDouble();
        LearningRate = double.IsNaN(lr) ? null : lr;
    }

    /// <summary>Copies the options of another group.</summary>
    public virtual void LoadStateDict(OptimizerOptions source)
    {
        ArgumentNullException.ThrowIfNull(source);
        InitialLearningRate = source.InitialLearningRate;
        LearningRate = source.LearningRate;
    }
}

/// <summary>The per-parameter state of an optimizer (e.g. a momentum buffer, Adam's moments).</summary>
public abstract class OptimizerState
{
    /// <summary>Writes the state to a stream.</summary>
    public abstract void SaveStateDict(BinaryWriter writer);

    /// <summary>Reads state written by <see cref="SaveStateDict(BinaryWriter)"/>.</summary>
    public abstract void LoadStateDict(BinaryReader reader);

    /// <summary>Copies the state of another optimizer's parameter (tensors are copied, not shared).</summary>
    public abstract void LoadStateDict(OptimizerState source);

    /// <summary>Whether this state equals <paramref name="other"/> up to floating-point tolerance (for tests).</summary>
    public virtual bool ApproximatelyEquals(OptimizerState other) => false;

    /// <summary>Moves the state tensors to <paramref name="device"/>.</summary>
    public virtual void to(Device device) { }

    /// <summary>Whether the state can serve <paramref name="parameter"/> (its tensors have the parameter's shape).</summary>
    internal virtual bool IsCompatibleWith(Parameter parameter) => true;

    /// <summary>Reads a tensor written by <see cref="SaveConditionalStateTensor"/> into <paramref name="result"/> (null when none was written).</summary>
    protected static void LoadConditionalStateTensor(BinaryReader reader, ref Tensor? result)
    {
        ArgumentNullException.ThrowIfNull(reader);
        StateTensors.ReadConditional(reader, ref result);
    }

    /// <summary>Writes a flag and, when <paramref name="tensor"/> is not null, the tensor.</summary>
    protected static void SaveConditionalStateTensor(BinaryWriter writer, Tensor? tensor)
    {
        ArgumentNullException.ThrowIfNull(writer);
        StateTensors.WriteConditional(writer, tensor);
    }
}

/// <summary>A group of parameters sharing options (learning rate, momentum, ...).</summary>
public class ParamGroup : ILearningRateController
{
    private OptimizerOptions? _options;

    /// <summary>The parameters of the group (made an array when the group is added to an optimizer).</summary>
    public IEnumerable<Parameter> Parameters { get; set; } = Array.Empty<Parameter>();

    /// <summary>The group's options; an optimizer fills the unset ones from its defaults when the group is added.</summary>
    /// <exception cref="InvalidOperationException">Read before options were given or the group was added to an optimizer.</exception>
    public OptimizerOptions Options
    {
        get => _options ?? throw new InvalidOperationException("The parameter group has no options yet; give it options or add it to an optimizer first.");
        set => _options = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Whether options were given (or filled in by an optimizer).</summary>
    internal bool HasOptions => _options is not null;

    /// <summary>The group's current learning rate.</summary>
    public double LearningRate
    {
        get => Options.LearningRate ?? throw new InvalidOperationException("The parameter group has no learning rate yet; add it to an optimizer first.");
        set => Options.LearningRate = value;
    }

    /// <summary>The learning rate the group started with.</summary>
    public double InitialLearningRate
    {
        get => Options.InitialLearningRate;
        set => Options.InitialLearningRate = value;
    }
}

/// <summary>A parameter group with options of type <typeparamref name="TOptions"/>.</summary>
/// <typeparam name="TOptions">The optimizer's options type.</typeparam>
public class ParamGroup<TOptions> : ParamGroup where TOptions : OptimizerOptions
{
    /// <summary>An empty group.</summary>
    public ParamGroup() { }

    /// <summary>A group of <paramref name="parameters"/> with <paramref name="options"/> (null: all defaults).</summary>
    public ParamGroup(IEnumerable<Parameter> parameters, TOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters;
        if (options is not null) base.Options = options;
    }

    /// <summary>The group's options.</summary>
    public new TOptions Options
    {
        get => (TOptions)base.Options;
        set => base.Options = value;
    }
}
