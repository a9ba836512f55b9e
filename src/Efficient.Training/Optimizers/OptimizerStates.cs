using System.Reflection;

namespace Efficient.Training.Optimizers;

/// <summary>Lifetime care for the per-parameter states of TorchSharp optimizers.</summary>
internal static class OptimizerStates
{
    /// <summary>
    /// TorchSharp's optimizer states create tensors while loading (and when moved with <c>to</c>)
    /// inside whatever dispose scope is current, which would free them when that scope ends: this
    /// detaches every tensor each state of <paramref name="helper"/> holds from its scope.
    /// </summary>
    public static void KeepOutOfScopes(OptimizerHelper helper)
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
                            t.DetachFromDisposeScope();
                            break;
                        case Tensor?[] slots:
                            foreach (var slot in slots)
                                if (slot is not null && !slot.IsInvalid) slot.DetachFromDisposeScope();
                            break;
                    }
                }
            }
        }
    }
}
