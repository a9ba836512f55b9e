using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Efficient.Training.Optimizers;
using TorchSharp.Utils;

namespace Efficient.Training;

/// <summary>
/// Swaps parameters inside an existing TorchSharp optimizer, for model surgery on a model whose
/// optimizer is already built (a hand-written loop). TorchSharp has no API for it: its
/// <see cref="OptimizerHelper"/> keeps the parameter groups and a per-parameter state keyed by the
/// tensor handle, so this rewrites both (the swapped parameter keeps its group, its position and,
/// when the shapes still match, its state).
/// </summary>
public static class OptimizerSurgery
{
    private static readonly FieldInfo StateField = typeof(OptimizerHelper).GetField("_state", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new MissingFieldException(nameof(OptimizerHelper), "_state");
    private static readonly FieldInfo ParameterField = typeof(OptimizerState).GetField("_parameter", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new MissingFieldException(nameof(OptimizerState), "_parameter");

    /// <summary>
    /// Replaces each key of <paramref name="map"/> held by <paramref name="optimizer"/> with its value,
    /// in the same group and position; the old parameter's state moves to the new one when every
    /// state tensor still fits (same shape), otherwise the new parameter starts with a fresh state.
    /// </summary>
    /// <returns>How many parameters were replaced.</returns>
    /// <exception cref="ArgumentException">A replacement is already held by the optimizer, or the optimizer is not an <see cref="OptimizerHelper"/>.</exception>
    public static int ReplaceParameters(this optim.Optimizer optimizer, IReadOnlyDictionary<Parameter, Parameter> map)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(map);
        if (map.Count == 0) return 0;
        if (optimizer is not OptimizerHelper helper)
            throw new ArgumentException($"Cannot replace parameters in a {optimizer.GetType().Name}: expected an optimizer derived from TorchSharp's OptimizerHelper (the built-in and Efficient.Training optimizers are).", nameof(optimizer));
        var held = new HashSet<Parameter>(optimizer.parameters(), ReferenceEqualityComparer.Instance);
        foreach (var to in map.Values)
            if (held.Contains(to))
                throw new ArgumentException("A replacement parameter is already held by the optimizer; expected new parameters only.", nameof(map));

        var handles = new Dictionary<IntPtr, Parameter>();
        var replaced = 0;
        foreach (var group in optimizer.ParamGroups.Cast<ParamGroup>())
        {
            var ps = group.Parameters.ToList();
            var changed = false;
            for (var i = 0; i < ps.Count; i++)
            {
                if (!map.TryGetValue(ps[i], out var to)) continue;
                handles[ps[i].Handle] = to;
                ps[i] = to;
                changed = true;
                replaced++;
            }
            if (changed) group.Parameters = ps;
        }
        if (replaced == 0) return 0;

        var optionsOf = new Dictionary<IntPtr, OptimizerOptions>();
        foreach (var group in optimizer.ParamGroups.Cast<ParamGroup>())
            foreach (var p in group.Parameters)
                if (group.Options is { } o) optionsOf[p.Handle] = o;
        var state = (OrderedDict<IntPtr, OptimizerState>)StateField.GetValue(helper)!;
        var items = state.Keys.Zip(state.Values).ToList();
        state.Clear();
        foreach (var (key, value) in items)
        {
            if (!handles.TryGetValue(key, out var to))
            {
                state.Add(key, value);
                continue;
            }
            var moved = Move(value, to, optionsOf.GetValueOrDefault(to.Handle));
            if (moved is not null) state.Add(to.Handle, moved);   // null: the optimizer creates it at its next step
        }
        return replaced;
    }

    /// <summary>
    /// Zeroes the optimizer's per-element state (momentum, Adam moments) of <paramref name="parameter"/>
    /// where <paramref name="where"/> is true; returns false when the optimizer keeps no state for it
    /// (no step yet) or is not an <see cref="OptimizerHelper"/> (its state cannot be reached).
    /// </summary>
    internal static bool ZeroStateWhere(this optim.Optimizer optimizer, Parameter parameter, Tensor where)
    {
        if (optimizer is not OptimizerHelper helper) return false;
        var state = (OrderedDict<IntPtr, OptimizerState>)StateField.GetValue(helper)!;
        if (!state.ContainsKey(parameter.Handle)) return false;
        OptimizerStates.ZeroWhere(state[parameter.Handle], parameter.shape, where);
        return true;
    }

    /// <summary>The optimizer's state of <paramref name="parameter"/>, or null when it holds none (yet).</summary>
    internal static OptimizerState? StateOf(optim.Optimizer optimizer, Parameter parameter)
    {
        if (optimizer is not OptimizerHelper helper) return null;
        var state = (OrderedDict<IntPtr, OptimizerState>)StateField.GetValue(helper)!;
        return state.TryGetValue(parameter.Handle, out var s) ? s : null;
    }

    /// <summary>
    /// The tensors a parameter's optimizer state holds, by member name (the fields and properties of
    /// type <see cref="Tensor"/> its type declares: <c>momentum_buffer</c>, <c>exp_avg</c>,
    /// <c>exp_avg_sq</c>, ...), each with a setter that takes ownership of the new tensor and disposes
    /// the old one.
    /// </summary>
    internal static IReadOnlyList<(string Name, Tensor? Value, Action<Tensor?> Set)> StateTensors(OptimizerState state)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var result = new List<(string, Tensor?, Action<Tensor?>)>();
        for (var type = state.GetType(); type is not null && type != typeof(OptimizerState) && type != typeof(SlotState); type = type.BaseType)
        {
            foreach (var field in type.GetFields(all))
            {
                if (field.FieldType != typeof(Tensor) || field.Name.Contains('<', StringComparison.Ordinal)) continue;
                var old = (Tensor?)field.GetValue(state);
                result.Add((field.Name, old is { IsInvalid: false } ? old : null, t =>
                {
                    var before = (Tensor?)field.GetValue(state);
                    field.SetValue(state, t);
                    if (before is not null && !ReferenceEquals(before, t)) before.Dispose();
                }));
            }
            foreach (var property in type.GetProperties(all))
            {
                if (property.PropertyType != typeof(Tensor) || property.GetIndexParameters().Length > 0 || !property.CanRead || !property.CanWrite) continue;
                var old = (Tensor?)property.GetValue(state);
                // SlotState's setters dispose the tensor they replace.
                result.Add((property.Name, old is { IsInvalid: false } ? old : null, t => property.SetValue(state, t)));
            }
        }
        return result;
    }

    /// <summary>
    /// Adds each new parameter to the parameter group that holds its <c>like</c> parameter, at the position
    /// <paramref name="modelOrder"/> gives it (before the first parameter of that group that comes after it
    /// in the model), so the groups list parameters in model order as an optimizer built over the grown
    /// model would; a state is created for each, as the optimizer would create it.
    /// </summary>
    /// <exception cref="ArgumentException">A <c>like</c> parameter is not held by the optimizer.</exception>
    internal static void AddParameters(optim.Optimizer optimizer, IReadOnlyList<(Parameter Added, Parameter Like)> added, IReadOnlyList<Parameter> modelOrder)
    {
        if (added.Count == 0) return;
        if (optimizer is not OptimizerHelper helper)
            throw new ArgumentException($"Cannot add parameters to a {optimizer.GetType().Name}: expected an optimizer derived from TorchSharp's OptimizerHelper.", nameof(optimizer));
        var index = new Dictionary<Parameter, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < modelOrder.Count; i++) index.TryAdd(modelOrder[i], i);
        var states = (OrderedDict<IntPtr, OptimizerState>)StateField.GetValue(helper)!;
        var groups = optimizer.ParamGroups.Cast<ParamGroup>().ToList();
        foreach (var (p, like) in added)
        {
            var group = groups.FirstOrDefault(g => g.Parameters.Contains(like, ReferenceEqualityComparer.Instance))
                ?? throw new ArgumentException("A parameter the new one should join is not held by the optimizer; expected the model's optimizer.", nameof(added));
            var list = group.Parameters.ToList();
            var at = index.TryGetValue(p, out var mine) ? list.FindIndex(q => index.TryGetValue(q, out var theirs) && theirs > mine) : -1;
            if (at < 0) list.Add(p);
            else list.Insert(at, p);
            group.Parameters = list;
            if (!states.TryGetValue(like.Handle, out var likeState) || likeState is SlotState) continue;   // ours are created on demand
            var type = likeState.GetType();
            var fresh = (OptimizerState)(type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, new[] { typeof(Parameter) }) is { } withParameter
                ? withParameter.Invoke(new object[] { p })
                : Activator.CreateInstance(type, nonPublic: true)!);
            if (group.Options is { } o) fresh.Initialize(o);
            states[p.Handle] = fresh;
        }
    }

    /// <summary>
    /// Gives <paramref name="to"/> (already held by the optimizer) a copy of <paramref name="from"/>'s state:
    /// step counts and other values copied, tensors cloned. Nothing when <paramref name="from"/> has no state.
    /// </summary>
    internal static void CopyState(optim.Optimizer optimizer, Parameter from, Parameter to)
    {
        if (optimizer is not OptimizerHelper helper) return;
        var states = (OrderedDict<IntPtr, OptimizerState>)StateField.GetValue(helper)!;
        if (!states.TryGetValue(from.Handle, out var source)) return;
        if (!states.TryGetValue(to.Handle, out var target) || target.GetType() != source.GetType())
        {
            var type = source.GetType();
            target = (OptimizerState)(type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, new[] { typeof(Parameter) }) is { } withParameter
                ? withParameter.Invoke(new object[] { to })
                : Activator.CreateInstance(type, nonPublic: true)!);
            states[to.Handle] = target;
        }
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        for (var type = source.GetType(); type is not null && type != typeof(OptimizerState); type = type.BaseType)
        {
            foreach (var field in type.GetFields(all))
                if (field.FieldType.IsValueType && !field.IsInitOnly && !field.Name.Contains('<', StringComparison.Ordinal)) field.SetValue(target, field.GetValue(source));
            foreach (var property in type.GetProperties(all))
                if (property.PropertyType.IsValueType && property.CanRead && property.CanWrite && property.GetIndexParameters().Length == 0) property.SetValue(target, property.GetValue(source));
        }
        var targets = StateTensors(target).ToDictionary(t => t.Name);
        foreach (var (name, value, _) in StateTensors(source))
        {
            if (!targets.TryGetValue(name, out var t)) continue;
            Tensor? copy = null;
            if (value is not null)
                using (no_grad()) copy = value.detach().clone().DetachFromDisposeScope();
            t.Set(copy);
        }
    }

    // The state of the old parameter, re-pointed at the new one when its tensors fit the new shape;
    // otherwise a fresh state of the same kind (ours are created on demand: null).
    private static OptimizerState? Move(OptimizerState state, Parameter to, OptimizerOptions? options)
    {
        if (state is SlotState slots)
        {
            if (slots.Fits(to.shape))
            {
                slots.to(to.device);
                return slots;
            }
            slots.Dispose();
            return null;
        }
        if (OptimizerStates.Fits(state, to.shape))
        {
            ParameterField.SetValue(state, to);
            OptimizerStates.MoveTo(state, to.device);
            return state;
        }
        var fresh = (OptimizerState)Activator.CreateInstance(state.GetType(), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, new object[] { to }, null)!;
        if (options is not null) fresh.Initialize(options);
        return fresh;
    }
}
