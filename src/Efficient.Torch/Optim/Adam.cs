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
            /// Adam (Kingma &amp; Ba, 2014), optionally AMSGrad, with L2 weight decay added to the
            /// gradient — PyTorch 1.13's <c>torch.optim.Adam</c> update.
            /// </summary>
            /// <param name="parameters">The parameters to optimize.</param>
            /// <param name="lr">The learning rate, in [0, +inf) (default 1e-3).</param>
            /// <param name="beta1">Coefficient of the running average of the gradient, in [0, 1) (default 0.9).</param>
            /// <param name="beta2">Coefficient of the running average of the squared gradient, in [0, 1) (default 0.999).</param>
            /// <param name="eps">Added to the denominator for numerical stability, in [0, +inf) (default 1e-8).</param>
            /// <param name="weight_decay">L2 penalty, in [0, +inf) (default 0).</param>
            /// <param name="amsgrad">Use the AMSGrad variant (the maximum of past squared-gradient averages).</param>
            /// <param name="maximize">Maximize the objective instead of minimizing it.</param>
            public static Modules.Adam Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
                => new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>Adam over named parameters (the names are ignored).</summary>
            /// <inheritdoc cref="Adam(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
            public static Modules.Adam Adam(IEnumerable<(string name, Parameter parameter)> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
                => new((parameters ?? throw new ArgumentNullException(nameof(parameters))).Select(np => np.parameter), lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>Adam over parameter groups; options a group leaves unset take these values.</summary>
            /// <inheritdoc cref="Adam(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
            public static Modules.Adam Adam(IEnumerable<Modules.Adam.ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
                => new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);
        }
    }
}

namespace Efficient.Torch.Modules
{
    /// <summary>
    /// Adam (PyTorch 1.13 <c>torch.optim.Adam</c>): for each parameter with a gradient g (negated when
    /// maximizing, plus weight_decay·p), m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g², and
    /// p −= lr/(1 − β1ᵗ) · m / (√v̂/√(1 − β2ᵗ) + eps) where v̂ is v or, with AMSGrad, its running
    /// maximum. The state is created on a parameter's first update; the whole group is updated in
    /// one native call.
    /// </summary>
    public class Adam : AdamBase<Adam.Options, Adam.State>
    {
        /// <summary>Creates the optimizer for one group of parameters.</summary>
        /// <param name="parameters">The parameters to optimize.</param>
        /// <param name="lr">The learning rate, in [0, +inf) (default 1e-3).</param>
        /// <param name="beta1">Coefficient of the running average of the gradient, in [0, 1) (default 0.9).</param>
        /// <param name="beta2">Coefficient of the running average of the squared gradient, in [0, 1) (default 0.999).</param>
        /// <param name="eps">Added to the denominator for numerical stability, in [0, +inf) (default 1e-8).</param>
        /// <param name="weight_decay">L2 penalty, in [0, +inf) (default 0).</param>
        /// <param name="amsgrad">Use the AMSGrad variant.</param>
        /// <param name="maximize">Maximize the objective instead of minimizing it.</param>
        /// <exception cref="ArgumentException">An option is out of range (the message names it, its value and the valid range).</exception>
        public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            : this(new[] { new ParamGroup { Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters)) } }, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
        {
        }

        /// <summary>Creates the optimizer for parameter groups; options a group leaves unset take these values.</summary>
        /// <inheritdoc cref="Adam(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public Adam(IEnumerable<ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled: false, "Adam")
        {
        }

        /// <summary>
        /// The state of one parameter: the step count and the running averages (null until the
        /// parameter's first update; max_exp_avg_sq only with AMSGrad).
        /// </summary>
        public class State : AdamStateBase<State>
        {
            /// <summary>An empty state (filled on the parameter's first update).</summary>
            public State() : base("Adam") { }
        }

        /// <summary>Adam's options of one parameter group (null: the optimizer's default); weight_decay is the L2 penalty.</summary>
        public class Options : AdamOptionsBase<Options>
        {
            /// <summary>Options all unset (each takes the optimizer's default).</summary>
            public Options() : base("Adam") { }
        }

        /// <summary>A group of parameters with its own Adam options.</summary>
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
