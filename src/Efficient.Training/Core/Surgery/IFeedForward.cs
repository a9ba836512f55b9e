namespace Efficient.Training;

/// <summary>
/// A transformer's position-wise feed-forward block <c>[..., H] → [..., H]</c> (an
/// <c>nn.Module&lt;Tensor, Tensor&gt;</c>) that techniques can replace without knowing its type:
/// GatedLinearUnits swaps it for a gated block of the same sizes.
/// </summary>
public interface IFeedForward
{
    /// <summary>The hidden dimension H (input and output).</summary>
    long HiddenSize { get; }

    /// <summary>The inner dimension.</summary>
    long IntermediateSize { get; }
}
