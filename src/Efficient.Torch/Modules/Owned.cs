using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>Helpers for tensors a module owns for its whole life.</summary>
internal static class Owned
{
    /// <summary>
    /// Takes <paramref name="data"/> out of the current dispose scope as a parameter: a module
    /// built inside a scope keeps its weights after the scope ends (the module disposes them).
    /// </summary>
    internal static Parameter Param(Tensor data, bool requires_grad = true)
    {
        var p = new Parameter(data, requires_grad);
        p.DetachFromDisposeScope();
        return p;
    }

    /// <summary>Takes a buffer out of the current dispose scope (the module disposes it).</summary>
    internal static Tensor Buffer(Tensor data) => data.DetachFromDisposeScope();
}
