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
    public static void KeepOutOfScopes(OptimizerHelper helper) => Visit(helper, t =>
    {
        t.DetachFromDisposeScope();
        return t;
    });

    /// <summary>
    /// TorchSharp writes only contiguous tensors; the state of a channels-last parameter (momentum,
    /// moments) is channels-last too. This replaces every non-contiguous state tensor of
    /// <paramref name="helper"/> by a contiguous copy (same values; later updates work on either layout).
    /// </summary>
    public static void MakeContiguous(OptimizerHelper helper) => Visit(helper, t =>
    {
        if (t.is_contiguous()) return t;
        var copy = t.contiguous().DetachFromDisposeScope();
        t.Dispose();
        return copy;
    });

    // Applies change to every live tensor held in a field (or a tensor-array field) of each state, storing what it returns.
    private static void Visit(OptimizerHelper helper, Func<Tensor, Tensor> change)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        foreach (var st in helper.state_dict().State)
        {
            for (var type = st.GetType(); type is not null && type != typeof(OptimizerState); type = type.BaseType)
            {
                foreach (var field in type.GetFields(all))
                {
                    switch (field.GetValue(st))
                    {
                        case Tensor t when !t.IsInvalid:
                            var changed = change(t);
                            if (!ReferenceEquals(changed, t)) field.SetValue(st, changed);
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
}
