using System;
using System.Runtime.InteropServices;

namespace Efficient.Torch.Interop;

internal static partial class Native
{
    [LibraryImport(Lib)] internal static partial int ets_linalg_svd(TensorHandle input, int fullMatrices, out IntPtr u, out IntPtr s, out IntPtr vh);
    [LibraryImport(Lib)] internal static partial TensorHandle ets_linalg_svdvals(TensorHandle input);
}
