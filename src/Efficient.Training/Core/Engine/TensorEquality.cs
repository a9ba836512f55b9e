using System;
using System.Linq;

namespace Efficient.Training;

/// <summary>PyTorch's <c>torch.equal</c>: TorchSharp 0.107's <c>Tensor.equal</c> is element-wise (like <c>eq</c>).</summary>
internal static class TensorEquality
{
    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> have the same shape and exactly the same values.</summary>
    public static bool SameValues(this Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.shape.SequenceEqual(b.shape)) return false;
        if (a.numel() == 0) return true;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }
}
