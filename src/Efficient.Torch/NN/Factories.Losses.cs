using Efficient.Torch.Modules;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Cross-entropy of logits against class indices or probabilities (label smoothing: use the <see cref="Modules.CrossEntropyLoss"/> constructor).</summary>
        /// <param name="weight">Per-class weight [C], or null.</param>
        /// <param name="ignore_index">A target index that contributes nothing, or null.</param>
        /// <param name="reduction">How per-sample losses are reduced.</param>
        public static CrossEntropyLoss CrossEntropyLoss(Tensor? weight = null, long? ignore_index = null, Reduction reduction = Reduction.Mean) => new(weight, ignore_index, reduction);

        /// <summary>Binary cross-entropy on logits.</summary>
        /// <param name="weight">Rescaling weight broadcast to the input, or null.</param>
        /// <param name="reduction">How per-element losses are reduced.</param>
        /// <param name="pos_weights">Weight of the positive examples per class, or null.</param>
        public static BCEWithLogitsLoss BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weights = null) => new(weight, reduction, pos_weights);

        /// <summary>Mean squared error.</summary>
        public static MSELoss MSELoss(Reduction reduction = Reduction.Mean) => new(reduction);

        /// <summary>Negative log-likelihood.</summary>
        /// <param name="weight">Per-class weight [C], or null.</param>
        /// <param name="reduction">How per-sample losses are reduced.</param>
        public static NLLLoss NLLLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) => new(weight, reduction);

        /// <summary>Kullback–Leibler divergence (TorchSharp's default <paramref name="log_target"/> = true).</summary>
        /// <param name="log_target">Whether the target is given as log-probabilities.</param>
        /// <param name="reduction">How per-element losses are reduced.</param>
        public static KLDivLoss KLDivLoss(bool log_target = true, Reduction reduction = Reduction.Mean) => new(log_target, reduction);
    }
}
