using Efficient.Torch.Modules;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>A 1-D convolution, initialised like PyTorch (Kaiming-uniform weight with a = √5, uniform bias).</summary>
        /// <param name="in_channels">Channels of the input.</param>
        /// <param name="out_channels">Channels produced.</param>
        /// <param name="kernel_size">The kernel length.</param>
        /// <param name="stride">The step (default 1).</param>
        /// <param name="padding">Padding added to both ends (default 0).</param>
        /// <param name="dilation">The spacing of kernel elements (default 1).</param>
        /// <param name="padding_mode">How the padding is filled.</param>
        /// <param name="groups">Blocked connections from input to output channels (divides both).</param>
        /// <param name="bias">Whether to learn an additive bias.</param>
        /// <param name="device">Where the parameters live.</param>
        /// <param name="dtype">The parameters' floating-point type.</param>
        public static Conv1d Conv1d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null)
            => new(in_channels, out_channels, kernel_size, stride, padding, null, dilation, groups, bias, padding_mode, device, dtype);

        /// <summary>A 1-D convolution whose padding is given by rule (<see cref="Padding.Same"/> keeps the length; stride must be 1).</summary>
        /// <param name="in_channels">Channels of the input.</param>
        /// <param name="out_channels">Channels produced.</param>
        /// <param name="kernel_size">The kernel length.</param>
        /// <param name="padding">Valid (none) or Same.</param>
        /// <param name="stride">The step (default 1).</param>
        /// <param name="dilation">The spacing of kernel elements (default 1).</param>
        /// <param name="padding_mode">How the padding is filled.</param>
        /// <param name="groups">Blocked connections from input to output channels (divides both).</param>
        /// <param name="bias">Whether to learn an additive bias.</param>
        /// <param name="device">Where the parameters live.</param>
        /// <param name="dtype">The parameters' floating-point type.</param>
        public static Conv1d Conv1d(long in_channels, long out_channels, long kernel_size, Padding padding, long stride = 1, long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null)
            => new(in_channels, out_channels, kernel_size, stride, null, padding, dilation, groups, bias, padding_mode, device, dtype);

        /// <summary>A 2-D convolution with a square kernel, initialised like PyTorch.</summary>
        /// <param name="in_channels">Channels of the input.</param>
        /// <param name="out_channels">Channels produced.</param>
        /// <param name="kernel_size">The kernel size.</param>
        /// <param name="stride">The step (default 1).</param>
        /// <param name="padding">Padding added to every side (default 0).</param>
        /// <param name="dilation">The spacing of kernel elements (default 1).</param>
        /// <param name="padding_mode">How the padding is filled.</param>
        /// <param name="groups">Blocked connections from input to output channels (divides both).</param>
        /// <param name="bias">Whether to learn an additive bias.</param>
        /// <param name="device">Where the parameters live.</param>
        /// <param name="dtype">The parameters' floating-point type.</param>
        public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null)
            => new(in_channels, out_channels, (kernel_size, kernel_size), (stride, stride), (padding, padding), null, (dilation, dilation), groups, bias, padding_mode, device, dtype);

        /// <summary>A 2-D convolution with a (height, width) kernel, initialised like PyTorch.</summary>
        /// <param name="in_channels">Channels of the input.</param>
        /// <param name="out_channels">Channels produced.</param>
        /// <param name="kernel_size">The kernel size.</param>
        /// <param name="stride">The step (default (1, 1)).</param>
        /// <param name="padding">Padding per dimension (default (0, 0)).</param>
        /// <param name="dilation">The spacing of kernel elements (default (1, 1)).</param>
        /// <param name="padding_mode">How the padding is filled.</param>
        /// <param name="groups">Blocked connections from input to output channels (divides both).</param>
        /// <param name="bias">Whether to learn an additive bias.</param>
        /// <param name="device">Where the parameters live.</param>
        /// <param name="dtype">The parameters' floating-point type.</param>
        public static Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null)
            => new(in_channels, out_channels, kernel_size, stride ?? (1, 1), padding ?? (0, 0), null, dilation ?? (1, 1), groups, bias, padding_mode, device, dtype);

        /// <summary>A 2-D convolution with a square kernel whose padding is given by rule (Same needs stride 1).</summary>
        /// <param name="in_channels">Channels of the input.</param>
        /// <param name="out_channels">Channels produced.</param>
        /// <param name="kernel_size">The kernel size.</param>
        /// <param name="padding">Valid (none) or Same.</param>
        /// <param name="stride">The step (default 1).</param>
        /// <param name="dilation">The spacing of kernel elements (default 1).</param>
        /// <param name="padding_mode">How the padding is filled.</param>
        /// <param name="groups">Blocked connections from input to output channels (divides both).</param>
        /// <param name="bias">Whether to learn an additive bias.</param>
        /// <param name="device">Where the parameters live.</param>
        /// <param name="dtype">The parameters' floating-point type.</param>
        public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, Padding padding, long stride = 1, long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null)
            => new(in_channels, out_channels, (kernel_size, kernel_size), (stride, stride), null, padding, (dilation, dilation), groups, bias, padding_mode, device, dtype);

        /// <summary>A 2-D convolution with a (height, width) kernel whose padding is given by rule (Same needs stride 1).</summary>
        /// <param name="in_channels">Channels of the input.</param>
        /// <param name="out_channels">Channels produced.</param>
        /// <param name="kernel_size">The kernel size.</param>
        /// <param name="padding">Valid (none) or Same.</param>
        /// <param name="stride">The step (default (1, 1)).</param>
        /// <param name="dilation">The spacing of kernel elements (default (1, 1)).</param>
        /// <param name="padding_mode">How the padding is filled.</param>
        /// <param name="groups">Blocked connections from input to output channels (divides both).</param>
        /// <param name="bias">Whether to learn an additive bias.</param>
        /// <param name="device">Where the parameters live.</param>
        /// <param name="dtype">The parameters' floating-point type.</param>
        public static Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, Padding padding, (long, long)? stride = null, (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null)
            => new(in_channels, out_channels, kernel_size, stride ?? (1, 1), null, padding, dilation ?? (1, 1), groups, bias, padding_mode, device, dtype);
    }
}
