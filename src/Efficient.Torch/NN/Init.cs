using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Weight initialisation, as <c>torch.nn.init</c>. Every function fills the tensor in place
        /// without recording autograd history and returns the same tensor. With the same seed they
        /// draw the same numbers as PyTorch.
        /// </summary>
        public static class init
        {
            /// <summary>The nonlinearity whose gain <see cref="calculate_gain"/> returns.</summary>
            public enum NonlinearityType
            {
                /// <summary>Identity (gain 1).</summary>
                Linear = 0,
                /// <summary>1-D convolution (gain 1).</summary>
                Conv1D = 1,
                /// <summary>2-D convolution (gain 1).</summary>
                Conv2D = 2,
                /// <summary>3-D convolution (gain 1).</summary>
                Conv3D = 3,
                /// <summary>1-D transposed convolution (gain 1).</summary>
                ConvTranspose1D = 4,
                /// <summary>2-D transposed convolution (gain 1).</summary>
                ConvTranspose2D = 5,
                /// <summary>3-D transposed convolution (gain 1).</summary>
                ConvTranspose3D = 6,
                /// <summary>Sigmoid (gain 1).</summary>
                Sigmoid = 7,
                /// <summary>Tanh (gain 5/3).</summary>
                Tanh = 8,
                /// <summary>ReLU (gain √2).</summary>
                ReLU = 9,
                /// <summary>Leaky ReLU (gain √(2 / (1 + slope²))).</summary>
                LeakyReLU = 10,
            }

            /// <summary>Which fan the Kaiming initialisers keep the variance of.</summary>
            public enum FanInOut
            {
                /// <summary>The forward pass (inputs per output).</summary>
                FanIn = 0,
                /// <summary>The backward pass (outputs per input).</summary>
                FanOut = 1,
            }

            /// <summary>The recommended gain for <paramref name="nonlinearity"/>.</summary>
            /// <param name="nonlinearity">The activation that follows the layer.</param>
            /// <param name="param">The negative slope of <see cref="NonlinearityType.LeakyReLU"/> (ignored otherwise).</param>
            public static double calculate_gain(NonlinearityType nonlinearity, double param = 0.0) => nonlinearity switch
            {
                NonlinearityType.Linear or NonlinearityType.Conv1D or NonlinearityType.Conv2D or NonlinearityType.Conv3D
                    or NonlinearityType.ConvTranspose1D or NonlinearityType.ConvTranspose2D or NonlinearityType.ConvTranspose3D
                    or NonlinearityType.Sigmoid => 1.0,
                NonlinearityType.Tanh => 5.0 / 3,
                NonlinearityType.ReLU => Math.Sqrt(2.0),
                NonlinearityType.LeakyReLU => Math.Sqrt(2.0 / (1 + param * param)),
                _ => throw new ArgumentException($"calculate_gain: nonlinearity is {nonlinearity}; expected a NonlinearityType member.", nameof(nonlinearity)),
            };

            /// <summary>Fills with ones.</summary>
            public static Tensor ones_(Tensor tensor) => Fill(tensor, t => t.fill_(1));

            /// <summary>Fills with zeros.</summary>
            public static Tensor zeros_(Tensor tensor) => Fill(tensor, t => t.zero_());

            /// <summary>Fills with <paramref name="val"/>.</summary>
            public static Tensor constant_(Tensor tensor, Scalar val) => Fill(tensor, t => t.fill_(val));

            /// <summary>Draws from U(<paramref name="low"/>, <paramref name="high"/>).</summary>
            public static Tensor uniform_(Tensor tensor, double low = 0, double high = 1, Generator? generator = null)
            {
                if (!(low <= high)) throw new ArgumentException($"uniform_: low is {low} and high is {high}; expected low <= high.", nameof(low));
                return Fill(tensor, t => t.uniform_(low, high, generator));
            }

            /// <summary>Draws from N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
            {
                if (!(std >= 0)) throw new ArgumentException($"normal_: std is {std}; expected a non-negative value.", nameof(std));
                return Fill(tensor, t => t.normal_(mean, std, generator));
            }

            /// <summary>
            /// Draws from N(<paramref name="mean"/>, <paramref name="std"/>²) truncated to
            /// [<paramref name="a"/>, <paramref name="b"/>] (inverse-CDF sampling, as PyTorch).
            /// </summary>
            public static Tensor trunc_normal_(Tensor tensor, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0, Generator? generator = null)
            {
                ArgumentNullException.ThrowIfNull(tensor);
                if (!(std > 0)) throw new ArgumentException($"trunc_normal_: std is {std}; expected a positive value.", nameof(std));
                if (!(a < b)) throw new ArgumentException($"trunc_normal_: a is {a} and b is {b}; expected a < b.", nameof(a));
                Native.Check(Native.ets_trunc_normal_(tensor.HandleChecked, mean, std, a, b, Generator.HandleOf(generator)));
                return tensor;
            }

            /// <summary>
            /// Kaiming (He) uniform: U(−bound, bound) with bound = gain·√(3 / fan), gain from
            /// <paramref name="nonlinearity"/> and the negative slope <paramref name="a"/>.
            /// </summary>
            public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn, NonlinearityType nonlinearity = NonlinearityType.LeakyReLU)
            {
                var std = KaimingStd(tensor, a, mode, nonlinearity, nameof(kaiming_uniform_));
                var bound = Math.Sqrt(3.0) * std;
                return Fill(tensor, t => t.uniform_(-bound, bound));
            }

            /// <summary>Kaiming (He) normal: N(0, std²) with std = gain / √fan.</summary>
            public static Tensor kaiming_normal_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn, NonlinearityType nonlinearity = NonlinearityType.LeakyReLU)
            {
                var std = KaimingStd(tensor, a, mode, nonlinearity, nameof(kaiming_normal_));
                return Fill(tensor, t => t.normal_(0, std));
            }

            /// <summary>Xavier (Glorot) uniform: U(−bound, bound) with bound = gain·√(6 / (fan_in + fan_out)).</summary>
            public static Tensor xavier_uniform_(Tensor tensor, double gain = 1.0)
            {
                var (fanIn, fanOut) = FanInAndFanOut(tensor, nameof(xavier_uniform_));
                var std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                var bound = Math.Sqrt(3.0) * std;
                return Fill(tensor, t => t.uniform_(-bound, bound));
            }

            /// <summary>Xavier (Glorot) normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)).</summary>
            public static Tensor xavier_normal_(Tensor tensor, double gain = 1.0)
            {
                var (fanIn, fanOut) = FanInAndFanOut(tensor, nameof(xavier_normal_));
                var std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                return Fill(tensor, t => t.normal_(0, std));
            }

            /// <summary>
            /// The fans of a weight of at least 2 dimensions: [out, in, k...] gives
            /// (in·∏k, out·∏k).
            /// </summary>
            public static (long fanIn, long fanOut) CalculateFanInAndFanOut(Tensor tensor) => FanInAndFanOut(tensor, nameof(CalculateFanInAndFanOut));

            private static (long fanIn, long fanOut) FanInAndFanOut(Tensor tensor, string op)
            {
                ArgumentNullException.ThrowIfNull(tensor);
                var shape = tensor.shape;
                if (shape.Length < 2)
                    throw new ArgumentException($"{op}: the tensor has shape [{string.Join(", ", shape)}]; fan in and fan out need at least 2 dimensions.", nameof(tensor));
                long receptive = 1;
                for (var i = 2; i < shape.Length; i++) receptive *= shape[i];
                return (shape[1] * receptive, shape[0] * receptive);
            }

            private static double KaimingStd(Tensor tensor, double a, FanInOut mode, NonlinearityType nonlinearity, string op)
            {
                var (fanIn, fanOut) = FanInAndFanOut(tensor, op);
                var fan = mode switch
                {
                    FanInOut.FanIn => fanIn,
                    FanInOut.FanOut => fanOut,
                    _ => throw new ArgumentException($"{op}: mode is {mode}; expected FanInOut.FanIn or FanInOut.FanOut.", nameof(mode)),
                };
                if (fan == 0) throw new ArgumentException($"{op}: the tensor has shape [{string.Join(", ", tensor.shape)}], a zero fan; expected a non-empty weight.", nameof(tensor));
                return calculate_gain(nonlinearity, a) / Math.Sqrt(fan);
            }

            private static Tensor Fill(Tensor tensor, Func<Tensor, Tensor> fill)
            {
                ArgumentNullException.ThrowIfNull(tensor);
                using (no_grad()) fill(tensor);
                return tensor;
            }
        }
    }
}
