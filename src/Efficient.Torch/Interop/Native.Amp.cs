using System.Runtime.InteropServices;

namespace Efficient.Torch.Interop;

internal static partial class Native
{
    [LibraryImport(Lib)] internal static partial int ets_autocast_set(int deviceType, int enabled, int dtype, out int prevEnabled, out int prevDtype);
    [LibraryImport(Lib)] internal static partial int ets_autocast_is_enabled(int deviceType);
}
