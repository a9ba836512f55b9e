using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Efficient.Training.Tests.Core;

public class MallocTuningTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables) map[name] = value;
        return name => map.TryGetValue(name, out var v) ? v : null;
    }

    [Theory]
    [InlineData("0")]
    [InlineData("false")]
    [InlineData("OFF")]
    [InlineData(" no ")]
    public void TheOptOutVariableTurnsTheTuningOff(string value) =>
        MallocTuning.Decide(Env((MallocTuning.OptOutVariable, value)), isLinux: true).Should().Be(MallocTuningOutcome.DisabledByEnvironment);

    [Theory]
    [InlineData("1")]
    [InlineData("")]
    [InlineData("yes")]
    public void OtherValuesOfTheOptOutVariableKeepTheTuningOn(string value) =>
        MallocTuning.Decide(Env((MallocTuning.OptOutVariable, value)), isLinux: true).Should().Be(MallocTuningOutcome.Applied);

    [Theory]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "1048576")]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "0")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.check=0:glibc.malloc.mmap_threshold=65536")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=65536")]
    public void ThresholdsTheUserSetsWin(string name, string value) =>
        MallocTuning.Decide(Env((name, value)), isLinux: true).Should().Be(MallocTuningOutcome.UserSettingsKept);

    [Fact]
    public void UnrelatedTunablesDoNotStopTheTuning() =>
        MallocTuning.Decide(Env(("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")), isLinux: true).Should().Be(MallocTuningOutcome.Applied);

    [Fact]
    public void NothingHappensOutsideLinux() =>
        MallocTuning.Decide(Env(), isLinux: false).Should().Be(MallocTuningOutcome.NotSupported);

    [Fact]
    public void TheLibraryAppliedItWhenItLoadedAsThisProcessEnvironmentSays()
    {
        // Any use of the library runs its module initializer, so the outcome is known by now.
        var expected = MallocTuning.Decide(Environment.GetEnvironmentVariable, OperatingSystem.IsLinux());
        if (expected == MallocTuningOutcome.Applied && !IsGlibc()) expected = MallocTuningOutcome.NotSupported;
        MallocTuning.Outcome.Should().Be(expected);
        MallocTuning.Apply().Should().Be(expected, "Apply runs once; later calls return the first outcome");
    }

    [Fact]
    public void WhenAppliedBlocksUpToThe32MiBThresholdComeFromTheHeapAndLargerOnesFromMmap()
    {
        if (MallocTuning.Outcome != MallocTuningOutcome.Applied) return; // opted out or not glibc: nothing to observe
        MallocTuning.Native.MallInfo2 Info()
        {
            try
            {
                return MallocTuning.Native.mallinfo2();
            }
            catch (EntryPointNotFoundException)
            {
                return default; // glibc before 2.33
            }
        }

        // mallinfo2's hblkhd counts the bytes of the blocks glibc serves with mmap (process-wide).
        static nuint MmappedGrowth(nuint size, Func<MallocTuning.Native.MallInfo2> info)
        {
            var before = info().Hblkhd;
            var block = Marshal.AllocHGlobal((nint)size); // malloc on Unix
            try
            {
                return info().Hblkhd - before;
            }
            finally
            {
                Marshal.FreeHGlobal(block);
            }
        }

        if (Info().Arena == 0) return;
        const nuint MiB = 1024 * 1024;
        MmappedGrowth(24 * MiB, Info).Should().BeLessThan(24 * MiB, "a 24 MiB block is below the 32 MiB threshold, so it comes from the heap, not from a fresh mmap");
        MmappedGrowth(48 * MiB, Info).Should().BeGreaterThanOrEqualTo(48 * MiB, "a 48 MiB block is above the threshold (this checks that the probe sees mmapped blocks at all)");
    }

    private static bool IsGlibc() =>
        NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _);
}
