using System.Runtime.InteropServices;

namespace Efficient.Torch.Interop;

internal static partial class Native
{
    [LibraryImport(Lib)] internal static partial TensorHandle ets_fake_quantize_per_tensor_affine(TensorHandle input, double scale, long zeroPoint, long quantMin, long quantMax);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_fake_quantize_per_tensor_affine_tensor(TensorHandle input, TensorHandle scale, TensorHandle zeroPoint, long quantMin, long quantMax);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_fake_quantize_per_channel_affine(TensorHandle input, TensorHandle scale, TensorHandle zeroPoint, long axis, long quantMin, long quantMax);
}
