using System;
using System.Reflection;

namespace Efficient.Training.Optimizers;

/// <summary>Lifetime and layout care for the per-parameter states of TorchSharp optimizers.</summary>
internal static class OptimizerStates
{
    /// <summary>
    /// TorchSharp's optimizer states create tensors while loading (and when moved with <c>to</c>)
    /// inside whatever dispose scope is current, which would free them when that scope ends: this
    /// detaches every tensor each state of <paramref name="helper"/> holds from its scope.
    /// </summary>
    public static void KeepOutOfScopes(OptimizerHelper helper)
    {
        foreach (var st in helper.state_dict().State) KeepOutOfScopes(st);
    }

    /// <summary>Moves <paramref name="state"/> to <paramref name="device"/>, keeping what the move creates out of the current dispose scope.</summary>
    public static void MoveTo(OptimizerState state, Device device)
    {
        state.to(device);
        KeepOutOfScopes(state);
    }

    /// <summary>Whether every tensor of <paramref name="state"/> that is not a scalar has the shape <paramref name="shape"/>.</summary>
    public static bool Fits(OptimizerState state, long[] shape)
    {
        var fits = true;
        Visit(state, t =>
        {
            if (t.dim() > 0 && !t.shape.AsSpan().SequenceEqual(shape)) fits = false;
            return t;
        });
        return fits;
    }

    /// <summary>
    /// TorchSharp writes only contiguous tensors; the state of a channels-last parameter (momentum,
    /// moments) is channels-last too. This replaces every non-contiguous state tensor of
    /// <paramref name="helper"/> by a contiguous copy (same values; later updates work on either layout).
    /// </summary>
    public static void MakeContiguous(OptimizerHelper helper)
    {
        foreach (var st in helper.state_dict().State)
        {
            Visit(st, t =>
            {
                if (t.is_contiguous()) return t;
                var copy = t.contiguous().DetachFromDisposeScope();
                t.Dispose();
                return copy;
            });
        }
    }

    /// <summary>
    /// Sets to zero, at the positions where <paramref name="where"/> (bool, the parameter's shape) is
    /// true, every tensor of <paramref name="state"/> shaped like the parameter (momentum, moments):
    /// the per-element history of those entries is forgotten. Scalars (step counts) are left alone.
    /// </summary>
    public static void ZeroWhere(OptimizerState state, long[] shape, Tensor where) => Visit(state, t =>
    {
        if (t.dim() > 0 && t.shape.AsSpan().SequenceEqual(shape)) t.masked_fill_(where, 0);
        return t;
    });

    private static void KeepOutOfScopes(OptimizerState state) => Visit(state, t =>
    {
        t.DetachFromDisposeScope();
        return t;
    });

    // Applies change to every live tensor held in a field (or a tensor-array field) of the state, storing what it returns.
    private static void Visit(OptimizerState state, Func<Tensor, Tensor> change)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        for (var type = state.GetType(); type is not null && type != typeof(OptimizerState); type = type.BaseType)
        {
            foreach (var field in type.GetFields(all))
            {
                switch (field.GetValue(state))
                {
                    case Tensor t when !t.IsInvalid:
                        var changed = change(t);
                        if (!ReferenceEquals(changed, t)) field.SetValue(state, changed);
                        break;
                    case Tensor?[] slots:
                        for (var i = 0; i < slots.Length; i++)
                            if (slots[i] is { IsInvalid: false } slot) slots[i] = change(slot);
                        break;
                }
            }
        }
    }
}
