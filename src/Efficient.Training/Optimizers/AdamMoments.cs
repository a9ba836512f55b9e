namespace Efficient.Training.Optimizers;

/// <summary>The Adam moment update shared by <see cref="DecoupledAdamW"/> and <see cref="Lamb"/>.</summary>
internal static class AdamMoments
{
    /// <summary>
    /// Advances one parameter's Adam state by one step: increments its step count t and updates, in place,
    /// m ← β1·m + (1 − β1)·g (slot 0) and v ← β2·v + (1 − β2)·g² (slot 1), both zeros before the first step.
    /// </summary>
    /// <returns>The updated running averages and the new step count.</returns>
    public static (Tensor m, Tensor v, long t) Step(SlotState state, Tensor p, Tensor g, double beta1, double beta2)
    {
        var m = state.ZerosIfEmpty(0, p);
        var v = state.ZerosIfEmpty(1, p);
        var t = ++state.step;
        m.mul_(beta1).add_(g, 1 - beta1);
        v.mul_(beta2).addcmul_(g, g, 1 - beta2);
        return (m, v, t);
    }
}
