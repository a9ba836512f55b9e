namespace Efficient.Training;

/// <summary>
/// A layer <c>x + s·f(x)</c> (for each of its residual branches) whose branch factor <c>s</c> techniques
/// can set: ProgressiveLayerDrop wraps such a layer (an <c>nn.Module&lt;Tensor, Tensor?, Tensor&gt;</c>)
/// so it can be skipped, and sets <c>s = 1/p</c> while a layer kept with probability p runs.
/// </summary>
public interface IResidualScale
{
    /// <summary>The factor on the residual branches (1 = none); the layer must apply it in training mode.</summary>
    double ResidualScale { get; set; }
}
