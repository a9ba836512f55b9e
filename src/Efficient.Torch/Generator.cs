using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>A pseudo-random number generator (libtorch's CPU Philox/MT generator).</summary>
    public class Generator : IDisposable
    {
        private IntPtr _handle;
        private readonly bool _owned;
        private static readonly Lazy<Generator> s_default = new(() => new Generator(Native.ets_default_generator(), owned: false));

        private Generator(IntPtr handle, bool owned)
        {
            _handle = handle;
            _owned = owned;
        }

        /// <summary>Creates a generator seeded with <paramref name="seed"/>.</summary>
        public Generator(ulong seed = 0, Device? device = null)
        {
            if (device is not null && device.type != DeviceType.CPU)
                throw new NotSupportedException($"Generator on {device}: only CPU generators are available in this build.");
            _handle = Native.ets_generator_new(unchecked((long)seed));
            if (_handle == IntPtr.Zero) Native.ThrowLastError();
            _owned = true;
        }

        /// <summary>The native handle.</summary>
        public IntPtr Handle
        {
            get
            {
                ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
                return _handle;
            }
        }

        /// <summary>The device the generator produces numbers for.</summary>
        public Device device => CPU;

        /// <summary>The process-wide default generator.</summary>
        public static Generator Default => s_default.Value;

        /// <summary>A copy of the generator's state as a uint8 tensor.</summary>
        public Tensor get_state() => new(Native.Check(Native.ets_generator_get_state(Handle)));

        /// <summary>Restores a state obtained from <see cref="get_state"/>.</summary>
        public void set_state(Tensor value)
        {
            ArgumentNullException.ThrowIfNull(value);
            Native.Check(Native.ets_generator_set_state(Handle, value.HandleChecked));
        }

        /// <summary>Re-seeds the generator.</summary>
        public Generator manual_seed(long seed)
        {
            Native.Check(Native.ets_generator_manual_seed(Handle, seed));
            return this;
        }

        /// <summary>Re-seeds from a non-deterministic source and returns the new seed.</summary>
        public long seed() => Native.ets_generator_seed(Handle);

        /// <summary>The seed last set.</summary>
        public long initial_seed() => Native.ets_generator_initial_seed(Handle);

        /// <summary>Frees the generator (the default generator is never freed).</summary>
        public void Dispose()
        {
            if (_owned && _handle != IntPtr.Zero) Native.ets_generator_free(_handle);
            if (_owned) _handle = IntPtr.Zero;
            GC.SuppressFinalize(this);
        }

        /// <summary>Frees the native generator if it was not disposed.</summary>
        ~Generator()
        {
            if (_owned && _handle != IntPtr.Zero) Native.ets_generator_free(_handle);
        }

        internal static IntPtr HandleOf(Generator? g) => g is null ? IntPtr.Zero : g.Handle;
    }
}
