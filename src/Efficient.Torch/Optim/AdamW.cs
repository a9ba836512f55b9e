using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Efficient.Torch.Modules;
using Efficient.Torch.Optim;
using static Efficient.Torch.torch;
using static Efficient.Torch.torch.optim;

namespace Efficient.Torch
{
    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>
            /// AdamW (Loshchilov &amp; Hutter, 2017): Adam with decoupled weight decay, optionally
            /// AMSGrad — PyTorch 1.13's <c>torch.optim.AdamW</c> update. As in TorchSharp the default
            /// weight decay is 0 (PyTorch's is 0.01).
            /// </summary>
            /// <param name="parameters">The parameters to optimize.</param>
            /// <param name="lr">The learning rate, in [0, +inf) (default 1e-3).</param>
            /// <param name="beta1">Coefficient of the running average of the gradient, in [0, 1) (default 0.9).</param>
            /// <param name="beta2">Coefficient of the running average of the squared gradient, in [0, 1) (default 0.999).</param>
            /// <param name="eps">Added to the denominator for numerical stability, in [0, +inf) (default 1e-8).</param>
            /// <param name="weight_decay">Decoupled weight decay, in [0, +inf) (default 0, as in TorchSharp).</param>
            /// <param name="amsgrad">Use the AMSGrad variant (the maximum of past squared-gradient averages).</param>
            /// <param name="maximize">Maximize the objective instead of minimizing it.</param>
            public static Modules.AdamW AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
                => new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>AdamW over named parameters (the names are ignored).</summary>
            /// <inheritdoc cref="AdamW(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
            public static Modules.AdamW AdamW(IEnumerable<(string name, Parameter parameter)> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
                => new((parameters ?? throw new ArgumentNullException(nameof(parameters))).Select(np => np.parameter), lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>AdamW over parameter groups; options a group leaves unset take these values.</summary>
            /// <inheritdoc cref="AdamW(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
            public static Modules.AdamW AdamW(IEnumerable<Modules.AdamW.ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
                => new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);
        }
    }
}

namespace Efficient.Torch.Modules
{
    /// <summary>
    /// AdamW (PyTorch 1.13 <c>torch.optim.AdamW</c>): for each parameter with a gradient g (negated
    /// when maximizing), p *= 1 − lr·weight_decay, then the Adam update without an L2 term:
    /// m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g², p −= lr/(1 − β1ᵗ) · m / (√v̂/√(1 − β2ᵗ) + eps)
    /// where v̂ is v or, with AMSGrad, its running maximum. The default weight decay is 0, as in
    /// TorchSharp (PyTorch's is 0.01). The whole group is updated in one native call.
    /// </summary>
    public class AdamW : AdamBase<AdamW.Options, AdamW.State>
    {
        /// <summary>Creates the optimizer for one group of parameters.</summary>
        /// <param name="parameters">The parameters to optimize.</param>
        /// <param name="lr">The learning rate, in [0, +inf) (default 1e-3).</param>
        /// <param name="beta1">Coefficient of the running average of the gradient, in [0, 1) (default 0.9).</param>
        /// <param name="beta2">Coefficient of the running average of the squared gradient, in [0, 1) (default 0.999).</param>
        /// <param name="eps">Added to the denominator for numerical stability, in [0, +inf) (default 1e-8).</param>
        /// <param name="weight_decay">Decoupled weight decay, in [0, +inf) (default 0, as in TorchSharp).</param>
        /// <param name="amsgrad">Use the AMSGrad variant.</param>
        /// <param name="maximize">Maximize the objective instead of minimizing it.</param>
        /// <exception cref="ArgumentException">An option is out of range (the message names it, its value and the valid range).</exception>
        public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            : this(new[] { new ParamGroup { Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters)) } }, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
        {
        }

        /// <summary>Creates the optimizer for parameter groups; options a group leaves unset take these values.</summary>
        /// <inheritdoc cref="AdamW(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public AdamW(IEnumerable<ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled: true, "AdamW")
        {
        }

        /// <summary>
        /// The state of one parameter: the step count and the running averages (null until the
        /// parameter's first update; max_exp_avg_sq only with AMSGrad).
        /// </summary>
        public class State : AdamStateBase<State>
        {
            /// <summary>An empty state (filled on the parameter's first update).</summary>
            public State() : base("AdamW") { }
        }

        /// <summary>AdamW's options of one parameter group (null: the optimizer's default); weight_decay is the decoupled weight decay.</summary>
        public class Options : AdamOptionsBase<Options>
        {
            /// <summary>Options all unset (each takes the optimizer's default).</summary>
            public Options() : base("AdamW") { }
        }

        /// <summary>A group of parameters with its own AdamW options.</summary>
        public class ParamGroup : AdamParamGroupBase<Options>
        {
            /// <summary>An empty group.</summary>
            public ParamGroup() { }

            /// <summary>A group with the given options (unset ones take the optimizer's defaults).</summary>
            public ParamGroup(IEnumerable<Parameter> parameters, Options options) : base(parameters, options) { }

            /// <summary>A group with all options given (as in TorchSharp, the defaults here are not the optimizer's).</summary>
            public ParamGroup(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
                : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
            {
            }
        }
    }
}
