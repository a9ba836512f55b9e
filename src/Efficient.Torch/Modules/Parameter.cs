using System;
using Efficient.Torch.Interop;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>
/// A tensor that is a trainable weight of a module: an autograd leaf, registered by
/// <c>RegisterComponents()</c> and returned by <c>parameters()</c>.
/// </summary>
public class Parameter : Tensor
{
    /// <summary>
    /// Makes a parameter from <paramref name="data"/>. As in TorchSharp the native tensor is
    /// moved out of <paramref name="data"/> (which becomes invalid) and takes over its dispose-scope slot.
    /// </summary>
    public Parameter(Tensor data, bool requires_grad = true) : base(MakeLeaf(data, requires_grad)) { }

    private static Tensor MakeLeaf(Tensor data, bool requires_grad)
    {
        ArgumentNullException.ThrowIfNull(data);
        Native.Check(Native.ets_make_leaf(data.HandleChecked, requires_grad ? 1 : 0));
        return data;
    }

    /// <summary>Replaces this parameter's data (storage, dtype, device) in place, keeping its identity.</summary>
    internal void SetData(Tensor data) => Native.Check(Native.ets_set_data(HandleChecked, data.HandleChecked));
}
