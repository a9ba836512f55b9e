using System;
using System.Globalization;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>A device: its type and, where there are several, its index (-1 = the current one).</summary>
    public class Device
    {
        /// <summary>The kind of device.</summary>
        public DeviceType type { get; }

        /// <summary>The device index, or -1 for "the current device of this type".</summary>
        public int index { get; }

        /// <summary>Parses a description such as <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:1"</c>.</summary>
        public Device(string description)
        {
            ArgumentNullException.ThrowIfNull(description);
            var parts = description.Split(':');
            if (parts.Length > 2 || parts[0].Length == 0)
                throw new ArgumentException($"Invalid device description '{description}': expected 'type' or 'type:index', e.g. 'cpu' or 'cuda:0'.", nameof(description));
            type = ParseType(parts[0], description);
            index = -1;
            if (parts.Length == 2)
            {
                if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var i))
                    throw new ArgumentException($"Invalid device index in '{description}': expected a non-negative integer.", nameof(description));
                index = i;
            }
        }

        /// <summary>Creates a device from a type name and index.</summary>
        public Device(string deviceType, int index = -1) : this(ParseType(deviceType, deviceType), index) { }

        /// <summary>Creates a device from a type and index.</summary>
        public Device(DeviceType deviceType, int index = -1)
        {
            if (index < -1) throw new ArgumentOutOfRangeException(nameof(index), index, "The device index must be -1 (current) or non-negative.");
            type = deviceType;
            this.index = index;
        }

        /// <summary>A CUDA device by index.</summary>
        public Device(int index) : this(DeviceType.CUDA, index) { }

        private static DeviceType ParseType(string name, string description) => name.ToLowerInvariant() switch
        {
            "cpu" => DeviceType.CPU,
            "cuda" => DeviceType.CUDA,
            "mps" => DeviceType.MPS,
            "meta" => DeviceType.META,
            "mkldnn" => DeviceType.MKLDNN,
            "xla" => DeviceType.XLA,
            "hip" => DeviceType.HIP,
            _ => throw new ArgumentException($"Unknown device type '{name}' in '{description}': expected cpu, cuda, mps or meta.", nameof(description)),
        };

        /// <inheritdoc />
        public override string ToString() => index < 0 ? type.ToString().ToLowerInvariant() : $"{type.ToString().ToLowerInvariant()}:{index}";

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is Device d && d.type == type && d.index == index;

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(type, index);

        /// <summary>Parses a device description.</summary>
        public static implicit operator Device(string description) => new(description);
    }

    /// <summary>The host.</summary>
    public static readonly Device CPU = new(DeviceType.CPU);

    /// <summary>The shape-only device.</summary>
    public static readonly Device META = new(DeviceType.META);

    /// <summary>The current CUDA device.</summary>
    public static Device CUDA => new(DeviceType.CUDA, -1);

    /// <summary>Apple's GPU device.</summary>
    public static Device MPS => new(DeviceType.MPS, -1);

    /// <summary>Parses a device description.</summary>
    public static Device device(string description) => new(description);

    /// <summary>Creates a device from a type name and index.</summary>
    public static Device device(string deviceType, int index = -1) => new(deviceType, index);

    /// <summary>Creates a device from a type and index.</summary>
    public static Device device(DeviceType deviceType, int index = -1) => new(deviceType, index);

    /// <summary>A CUDA device by index.</summary>
    public static Device device(int index) => new(index);
}
