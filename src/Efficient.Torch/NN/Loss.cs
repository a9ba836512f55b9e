using static Efficient.Torch.torch;

namespace Efficient.Torch;

/// <summary>A loss module with two inputs (prediction and target) and a reduction.</summary>
public abstract class Loss<T1, T2, TResult> : nn.Module<T1, T2, TResult>
{
    /// <summary>Creates the loss.</summary>
    protected Loss(nn.Reduction reduction = nn.Reduction.Mean) : base(nameof(Loss<T1, T2, TResult>)) => this.reduction = reduction;

    /// <summary>How per-element losses are reduced.</summary>
    public nn.Reduction reduction { get; }
}

/// <summary>A loss with an optional per-class weight. The weight stays the caller's (it is not registered or disposed).</summary>
public abstract class WeightedLoss<T1, T2, TResult> : Loss<T1, T2, TResult>
{
    /// <summary>Creates the loss.</summary>
    protected WeightedLoss(Tensor? weight = null, nn.Reduction reduction = nn.Reduction.Mean) : base(reduction) => this.weight = weight;

    /// <summary>The per-class rescaling weight, or null.</summary>
    public Tensor? weight { get; }
}
