using static Efficient.Torch.torch;
using Reduction = Efficient.Torch.torch.nn.Reduction;

namespace Efficient.Torch.Modules;

/// <summary>Cross-entropy of logits [N, C, ...] against class indices or class probabilities.</summary>
public sealed class CrossEntropyLoss : WeightedLoss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="weight">Per-class weight [C], or null.</param>
    /// <param name="ignore_index">A target index that contributes nothing (default: none, i.e. -100).</param>
    /// <param name="reduction">How per-sample losses are reduced.</param>
    /// <param name="label_smoothing">Mixes the target with the uniform distribution, in [0, 1].</param>
    public CrossEntropyLoss(Tensor? weight = null, long? ignore_index = null, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0) : base(weight, reduction)
    {
        if (!(label_smoothing >= 0 && label_smoothing <= 1))
            throw new System.ArgumentException($"CrossEntropyLoss: label_smoothing is {label_smoothing}; expected a value in [0, 1].", nameof(label_smoothing));
        this.ignore_index = ignore_index;
        this.label_smoothing = label_smoothing;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input, Tensor target) => nn.functional.cross_entropy(input, target, weight, ignore_index ?? -100, reduction, label_smoothing);

    /// <summary>The ignored target index, or null.</summary>
    public long? ignore_index { get; }

    /// <summary>The label smoothing amount.</summary>
    public double label_smoothing { get; }
}

/// <summary>Mean squared error.</summary>
public sealed class MSELoss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    public MSELoss(Reduction reduction = Reduction.Mean) : base(reduction) { }

    /// <inheritdoc />
    public override Tensor forward(Tensor input, Tensor target) => nn.functional.mse_loss(input, target, reduction);
}

/// <summary>Negative log-likelihood of log-probabilities [N, C, ...] against class indices.</summary>
public sealed class NLLLoss : WeightedLoss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    public NLLLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) : base(weight, reduction) { }

    /// <inheritdoc />
    public override Tensor forward(Tensor input, Tensor target) => nn.functional.nll_loss(input, target, weight, reduction);
}

/// <summary>Kullback–Leibler divergence of log-probabilities from a target distribution.</summary>
public sealed class KLDivLoss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss (TorchSharp's default <paramref name="log_target"/> = true; PyTorch's is false).</summary>
    /// <param name="log_target">Whether the target is given as log-probabilities.</param>
    /// <param name="reduction">How per-element losses are reduced.</param>
    public KLDivLoss(bool log_target = true, Reduction reduction = Reduction.Mean) : base(reduction) => this.log_target = log_target;

    /// <inheritdoc />
    public override Tensor forward(Tensor input, Tensor target) => nn.functional.kl_div(input, target, log_target, reduction);

    /// <summary>Whether the target is given as log-probabilities.</summary>
    public bool log_target { get; }
}

/// <summary>Binary cross-entropy on logits (a sigmoid and the loss in one stable step).</summary>
public sealed class BCEWithLogitsLoss : WeightedLoss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="weight">Rescaling weight broadcast to the input, or null.</param>
    /// <param name="reduction">How per-element losses are reduced.</param>
    /// <param name="pos_weights">Weight of the positive examples per class, or null.</param>
    public BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weights = null) : base(weight, reduction) => this.pos_weights = pos_weights;

    /// <inheritdoc />
    public override Tensor forward(Tensor input, Tensor target) => nn.functional.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weights);

    /// <summary>The positive-example weight, or null.</summary>
    public Tensor? pos_weights { get; }
}
