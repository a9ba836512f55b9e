using System.Runtime.CompilerServices;

namespace Efficient.Training.Tests;

internal static class TestProcessSettings
{
    /// <summary>
    /// One intra-op thread for the whole suite: xunit already runs test classes in parallel, and
    /// multi-threaded oneDNN backward kernels may sum partial results in a different order from run
    /// to run, which the bit-identical resume tests must not see.
    /// </summary>
#pragma warning disable CA2255 // set before any test touches libtorch
    [ModuleInitializer]
    internal static void Initialize() => torch.set_num_threads(1);
#pragma warning restore CA2255
}
