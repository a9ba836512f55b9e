using System.Runtime.InteropServices;

namespace Efficient.Torch.Interop;

internal static partial class Native
{
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle ets_affine_grid(TensorHandle theta, long* size, int n, int alignCorners);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_grid_sample(TensorHandle input, TensorHandle grid, long mode, long padding, int alignCorners);
}
