namespace Efficient.Training;

/// <summary>
/// A multi-head self-attention module that techniques can change without knowing its type: an
/// <c>nn.Module&lt;Tensor, Tensor?, Tensor&gt;</c> whose second argument is an additive float bias
/// broadcastable to <c>[B, heads, S, S]</c>, added to the scaled scores before the softmax.
/// ALiBi wraps such a module and adds its bias.
/// </summary>
public interface ISelfAttention
{
    /// <summary>The number of attention heads.</summary>
    int Heads { get; }
}
