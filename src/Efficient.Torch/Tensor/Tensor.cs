using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>
    /// A multi-dimensional array on a device, owning one libtorch tensor. Dispose it (or let its
    /// <see cref="DisposeScope"/> do so); the native memory is also released by a finalizer
    /// as a fallback.
    /// </summary>
    public partial class Tensor : IDisposable
    {
        private TensorHandle? _handle;
        private static long s_totalCount;
        private static long s_peakCount;

        internal Tensor(TensorHandle handle)
        {
            _handle = handle;
            OwningDisposeScope = DisposeScopeManager.RegisterNew(this);
            var live = Interlocked.Increment(ref s_totalCount);
            if (live > Volatile.Read(ref s_peakCount)) Volatile.Write(ref s_peakCount, live);
        }

        /// <summary>Moves the native tensor out of <paramref name="source"/> (which becomes disposed) into a new object.</summary>
        internal Tensor(Tensor source)
        {
            ArgumentNullException.ThrowIfNull(source);
            _handle = source.TakeHandle();
            OwningDisposeScope = source.OwningDisposeScope;
            OwningDisposeScope?.Remove(source);
            OwningDisposeScope?.Add(this);
            source.OwningDisposeScope = null;
        }

        internal DisposeScope? OwningDisposeScope { get; private set; }

        /// <summary>An optional name for diagnostics.</summary>
        public string? name { get; set; }

        /// <summary>True once the tensor has been disposed (or moved into a parameter).</summary>
        public bool IsInvalid => _handle is null || _handle.IsClosed || _handle.IsInvalid;

        /// <summary>How many tensor objects are alive (created and not yet disposed).</summary>
        public static long TotalCount => Interlocked.Read(ref s_totalCount);

        /// <summary>The highest <see cref="TotalCount"/> seen.</summary>
        public static long PeakCount => Interlocked.Read(ref s_peakCount);

        /// <summary>The number of native tensors alive in the shim (diagnostics for leak tests).</summary>
        public static long NativeLiveCount => Native.ets_live_tensors();

        /// <summary>The native <c>at::Tensor*</c>.</summary>
        public IntPtr Handle => HandleChecked.DangerousGetHandle();

        internal TensorHandle HandleChecked
        {
            get
            {
                var h = _handle;
                if (h is null || h.IsClosed)
                    throw new ObjectDisposedException(nameof(Tensor), "The tensor has been disposed (directly or by its dispose scope) and can no longer be used.");
                return h;
            }
        }

        private TensorHandle TakeHandle()
        {
            var h = HandleChecked;
            _handle = null;
            Interlocked.Decrement(ref s_totalCount);
            return h;
        }

        /// <summary>Releases the native tensor now and removes it from its dispose scope.</summary>
        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        /// <summary>Releases the native tensor.</summary>
        protected virtual void Dispose(bool disposing)
        {
            var h = _handle;
            if (h is null) return;
            _handle = null;
            if (disposing)
            {
                OwningDisposeScope?.Remove(this);
                OwningDisposeScope = null;
            }
            h.Dispose();
            Interlocked.Decrement(ref s_totalCount);
        }

        /// <summary>Moves this tensor to the scope enclosing its current one (or detaches it).</summary>
        public Tensor MoveToOuterDisposeScope() => MoveToOtherDisposeScope(OwningDisposeScope?.OuterScope);

        /// <summary>Removes this tensor from its dispose scope; the caller must dispose it.</summary>
        public Tensor DetachFromDisposeScope() => MoveToOtherDisposeScope((DisposeScope?)null);

        /// <summary>Misspelled alias of <see cref="DetachFromDisposeScope"/>, kept for TorchSharp compatibility.</summary>
        public Tensor DetatchFromDisposeScope() => DetachFromDisposeScope();

        /// <summary>Moves this tensor into the scope that owns <paramref name="other"/>.</summary>
        public Tensor MoveToOtherDisposeScope(Tensor other) => MoveToOtherDisposeScope(other.OwningDisposeScope);

        /// <summary>Moves this tensor into <paramref name="other"/> (null detaches it).</summary>
        public Tensor MoveToOtherDisposeScope(DisposeScope? other)
        {
            _ = HandleChecked;
            if (ReferenceEquals(OwningDisposeScope, other)) return this;
            OwningDisposeScope?.Remove(this);
            OwningDisposeScope = other;
            other?.Add(this);
            return this;
        }

        /// <summary>Gives up ownership of the native handle and returns it; this object becomes invalid.</summary>
        public IntPtr DecoupleFromNativeHandle()
        {
            var h = TakeHandle();
            OwningDisposeScope?.Remove(this);
            OwningDisposeScope = null;
            var raw = h.DangerousGetHandle();
            h.SetHandleAsInvalid();
            return raw;
        }

        // ---- metadata ---------------------------------------------------------------------

        /// <summary>The number of dimensions.</summary>
        public long Dimensions => Native.Check(Native.ets_dim(HandleChecked));

        /// <summary>The number of dimensions.</summary>
        public long ndim => Dimensions;

        /// <summary>The number of dimensions.</summary>
        public long dim() => Dimensions;

        /// <summary>The number of elements.</summary>
        public long NumberOfElements => numel();

        /// <summary>The number of elements.</summary>
        public long numel() => Native.Check(Native.ets_numel(HandleChecked));

        /// <summary>The size of each dimension.</summary>
        public unsafe long[] shape
        {
            get
            {
                var h = HandleChecked;
                var n = (int)Native.Check(Native.ets_dim(h));
                var result = new long[n];
                fixed (long* p = result) Native.Check(Native.ets_shape(h, p));
                return result;
            }
        }

        /// <summary>The size of each dimension.</summary>
        public long[] size() => shape;

        /// <summary>The size of one dimension (negative counts from the end).</summary>
        public long size(int dim)
        {
            var s = shape;
            var d = dim < 0 ? dim + s.Length : dim;
            if (d < 0 || d >= s.Length)
                throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Dimension out of range: expected a value in [{-s.Length}, {s.Length - 1}] for a tensor of {s.Length} dimensions.");
            return s[d];
        }

        /// <summary>The stride of each dimension, in elements.</summary>
        public unsafe long[] stride()
        {
            var h = HandleChecked;
            var n = (int)Native.Check(Native.ets_dim(h));
            var result = new long[n];
            fixed (long* p = result) Native.Check(Native.ets_strides(h, p));
            return result;
        }

        /// <summary>The element type.</summary>
        public ScalarType dtype
        {
            get
            {
                var d = Native.ets_dtype(HandleChecked);
                if (d < 0) Native.ThrowLastError();
                return (ScalarType)d;
            }
        }

        /// <summary>The device the tensor lives on.</summary>
        public Device device => new(device_type, device_index);

        /// <summary>The device index (-1 for the CPU).</summary>
        public int device_index => Native.ets_device_index(HandleChecked);

        /// <summary>The device type.</summary>
        public DeviceType device_type => (DeviceType)Native.ets_device_type(HandleChecked);

        /// <summary>Whether the tensor is on a CUDA device.</summary>
        public bool is_cuda => device_type == DeviceType.CUDA;

        /// <summary>Whether the tensor's dtype is a floating-point type.</summary>
        public bool is_floating_point() => dtype is ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.BFloat16;

        /// <summary>Whether the elements are laid out contiguously in row-major order.</summary>
        public bool is_contiguous() => Native.ets_is_contiguous(HandleChecked, (int)MemoryFormat.Contiguous) == 1;

        /// <summary>Whether the elements are laid out contiguously in the given memory format.</summary>
        public bool is_contiguous(MemoryFormat memory_format) => Native.ets_is_contiguous(HandleChecked, (int)memory_format) == 1;

        /// <summary>The size of one element in bytes.</summary>
        public long ElementSize => Native.Check(Native.ets_element_size(HandleChecked));

        /// <summary>The offset of the first element in the storage, in elements.</summary>
        public long storage_offset() => Native.Check(Native.ets_storage_offset(HandleChecked));

        // ---- autograd ---------------------------------------------------------------------

        /// <summary>Whether operations on this tensor are recorded for differentiation.</summary>
        public bool requires_grad
        {
            get => Native.ets_requires_grad(HandleChecked) == 1;
            set => Native.Check(Native.ets_set_requires_grad(HandleChecked, value ? 1 : 0));
        }

        /// <summary>Sets <see cref="requires_grad"/> in place and returns this tensor.</summary>
        public Tensor requires_grad_(bool requires_grad = true)
        {
            this.requires_grad = requires_grad;
            return this;
        }

        /// <summary>Sets <see cref="requires_grad"/> in place and returns this tensor.</summary>
        public Tensor with_requires_grad(bool requires_grad = true) => requires_grad_(requires_grad);

        /// <summary>Whether the tensor is a leaf of the autograd graph.</summary>
        public bool is_leaf => Native.ets_is_leaf(HandleChecked) == 1;

        /// <summary>Keeps the gradient of this non-leaf tensor after backward.</summary>
        public void retain_grad() => Native.Check(Native.ets_retain_grad(HandleChecked));

        /// <summary>
        /// The accumulated gradient, or null. Each read returns a new tensor object (registered in
        /// the current dispose scope) that shares the gradient's storage.
        /// </summary>
        public Tensor? grad
        {
            get
            {
                var rc = Native.ets_grad(HandleChecked, out var g);
                if (rc < 0) Native.ThrowLastError();
                return rc == 0 ? null : new Tensor(new TensorHandle(g));
            }
            set
            {
                Native.Check(Native.ets_set_grad(HandleChecked, value is null ? IntPtr.Zero : value.Handle));
                GC.KeepAlive(value);
            }
        }

        /// <summary>Computes the gradient of this scalar with respect to the graph's leaves.</summary>
        public void backward() => autograd.backward(this);

        /// <summary>
        /// Computes gradients with respect to the graph's leaves (or <paramref name="inputs"/>). As in
        /// PyTorch, <paramref name="create_graph"/> also retains the graph, so the gradients can be
        /// differentiated again.
        /// </summary>
        public void backward(IList<Tensor>? grad_tensors = null, bool retain_graph = false, bool create_graph = false, IList<Tensor>? inputs = null)
            => autograd.backward(this, grad_tensors, retain_graph || create_graph, create_graph, inputs);

        /// <summary>A new tensor sharing storage, cut from the autograd graph.</summary>
        public Tensor detach() => Wrap(Native.ets_detach(HandleChecked));

        /// <summary>Cuts this tensor from the autograd graph in place.</summary>
        public Tensor detach_()
        {
            Native.Check(Native.ets_detach_(HandleChecked));
            return this;
        }

        /// <summary>A new tensor object that refers to the same native tensor (same storage and autograd identity).</summary>
        public Tensor alias() => Wrap(Native.ets_alias(HandleChecked));

        // ---- copies and conversion --------------------------------------------------------

        /// <summary>A copy with its own storage (recorded by autograd).</summary>
        public Tensor clone() => Wrap(Native.ets_clone(HandleChecked));

        /// <summary>A row-major contiguous tensor (this one when it already is).</summary>
        public Tensor contiguous() => Wrap(Native.ets_contiguous(HandleChecked, (int)MemoryFormat.Contiguous));

        /// <summary>A tensor contiguous in the given memory format (e.g. channels-last).</summary>
        public Tensor contiguous(MemoryFormat memory_format) => Wrap(Native.ets_contiguous(HandleChecked, (int)memory_format));

        /// <summary>Copies the elements of <paramref name="source"/> into this tensor (broadcasting) and returns it.</summary>
        public Tensor copy_(Tensor source, bool nonBlocking = false)
        {
            Native.Check(Native.ets_copy_(HandleChecked, source.HandleChecked));
            return this;
        }

        /// <summary>This tensor converted to <paramref name="type"/>.</summary>
        public Tensor to_type(ScalarType type, bool copy = false, bool disposeAfter = false, bool non_blocking = false)
            => ToImpl((int)type, -1, -1, copy, disposeAfter, non_blocking);

        /// <summary>This tensor converted to the dtype of <paramref name="tensor"/>.</summary>
        public Tensor type_as(Tensor tensor) => to_type(tensor.dtype);

        /// <summary>This tensor converted to <paramref name="type"/>.</summary>
        public Tensor to(ScalarType type, bool copy = false, bool disposeAfter = false, bool non_blocking = false)
            => ToImpl((int)type, -1, -1, copy, disposeAfter, non_blocking);

        /// <summary>This tensor moved to a device.</summary>
        public Tensor to(DeviceType deviceType, int deviceIndex = -1, bool copy = false, bool disposeAfter = false, bool non_blocking = false)
            => ToImpl(-1, (int)deviceType, deviceIndex, copy, disposeAfter, non_blocking);

        /// <summary>This tensor converted to a dtype and moved to a device.</summary>
        public Tensor to(ScalarType type, Device device, bool copy = false, bool disposeAfter = false, bool non_blocking = false)
            => ToImpl((int)type, (int)device.type, device.index, copy, disposeAfter, non_blocking);

        /// <summary>This tensor moved to a device given by description (<c>"cuda:0"</c>).</summary>
        public Tensor to(string device, bool copy = false, bool disposeAfter = false, bool non_blocking = false)
            => to(new Device(device), copy, disposeAfter, non_blocking);

        /// <summary>This tensor moved to a device.</summary>
        public Tensor to(Device device, bool copy = false, bool disposeAfter = false, bool non_blocking = false)
            => ToImpl(-1, (int)device.type, device.index, copy, disposeAfter, non_blocking);

        /// <summary>This tensor converted to the dtype and device of <paramref name="other"/>.</summary>
        public Tensor to(Tensor other, bool non_blocking = false)
            => ToImpl((int)other.dtype, (int)other.device_type, other.device_index, false, false, non_blocking);

        private Tensor ToImpl(int dtype, int deviceType, int deviceIndex, bool copy, bool disposeAfter, bool nonBlocking)
        {
            var result = Wrap(Native.ets_to(HandleChecked, dtype, deviceType, deviceIndex, copy ? 1 : 0, nonBlocking ? 1 : 0));
            if (disposeAfter && !ReferenceEquals(result, this)) Dispose();
            return result;
        }

        /// <summary>A copy in host memory (this tensor's storage when already there).</summary>
        public Tensor cpu() => to(DeviceType.CPU);

        /// <summary>A copy on a CUDA device.</summary>
        public Tensor cuda(Device? device = null, bool non_blocking = false) => to(device ?? CUDA, false, false, non_blocking);

        /// <summary>Converted to bool.</summary>
        public Tensor @bool() => to_type(ScalarType.Bool);
        /// <summary>Converted to uint8.</summary>
        public Tensor @byte() => to_type(ScalarType.Byte);
        /// <summary>Converted to int16.</summary>
        public Tensor @short() => to_type(ScalarType.Int16);
        /// <summary>Converted to int32.</summary>
        public Tensor @int() => to_type(ScalarType.Int32);
        /// <summary>Converted to int64.</summary>
        public Tensor @long() => to_type(ScalarType.Int64);
        /// <summary>Converted to float16.</summary>
        public Tensor half() => to_type(ScalarType.Float16);
        /// <summary>Converted to bfloat16.</summary>
        public Tensor bfloat16() => to_type(ScalarType.BFloat16);
        /// <summary>Converted to float32.</summary>
        public Tensor @float() => to_type(ScalarType.Float32);
        /// <summary>Converted to float64.</summary>
        public Tensor @double() => to_type(ScalarType.Float64);

        // ---- element access ---------------------------------------------------------------

        /// <summary>
        /// The value of a one-element tensor. <typeparamref name="T"/> must match the dtype exactly
        /// (float32 → float, int64 → long, ...); use <c>ToSingle()</c>/<c>ToDouble()</c> to convert.
        /// </summary>
        public unsafe T item<T>() where T : unmanaged
        {
            var dt = dtype;
            CheckElementType<T>(dt, nameof(item));
            T value = default;
            Native.Check(Native.ets_item(HandleChecked, &value));
            return value;
        }

        /// <summary>An accessor over the elements (CPU tensors); <typeparamref name="T"/> must match the dtype.</summary>
        public Utils.TensorAccessor<T> data<T>() where T : unmanaged
        {
            CheckElementType<T>(dtype, nameof(data));
            if (device_type != DeviceType.CPU)
                throw new InvalidOperationException($"data<{typeof(T).Name}>() reads host memory but the tensor is on {device}; call cpu() first.");
            return new Utils.TensorAccessor<T>(this);
        }

        internal static void CheckElementType<T>(ScalarType dt, string op)
        {
            var expected = ElementTypeOf(dt);
            if (expected != typeof(T))
                throw new ArgumentException($"{op}<{typeof(T).Name}>: the tensor's dtype is {dt}, which is read as {expected?.Name ?? "(no .NET type)"}; use {op}<{expected?.Name ?? "?"}>() or convert with to_type() first.", "T");
        }

        internal static Type? ElementTypeOf(ScalarType dt) => dt switch
        {
            ScalarType.Byte => typeof(byte),
            ScalarType.Int8 => typeof(sbyte),
            ScalarType.Int16 => typeof(short),
            ScalarType.Int32 => typeof(int),
            ScalarType.Int64 => typeof(long),
            ScalarType.Float16 => typeof(Half),
            ScalarType.Float32 => typeof(float),
            ScalarType.Float64 => typeof(double),
            ScalarType.Bool => typeof(bool),
            _ => null,
        };

        internal static ScalarType ScalarTypeOf(Type t)
        {
            if (t == typeof(byte)) return ScalarType.Byte;
            if (t == typeof(sbyte)) return ScalarType.Int8;
            if (t == typeof(short)) return ScalarType.Int16;
            if (t == typeof(int)) return ScalarType.Int32;
            if (t == typeof(long)) return ScalarType.Int64;
            if (t == typeof(Half)) return ScalarType.Float16;
            if (t == typeof(float)) return ScalarType.Float32;
            if (t == typeof(double)) return ScalarType.Float64;
            if (t == typeof(bool)) return ScalarType.Bool;
            throw new ArgumentException($"Element type {t.Name} has no tensor dtype; expected byte, sbyte, short, int, long, Half, float, double or bool.");
        }

        /// <summary>Copies all elements (row-major) into a new array of <typeparamref name="T"/>, converting the dtype.</summary>
        internal unsafe T[] ToArray<T>() where T : unmanaged
        {
            var n = numel();
            var result = new T[n];
            fixed (T* p = result) Native.Check(Native.ets_copy_to_buffer(HandleChecked, p, n, (int)ScalarTypeOf(typeof(T))));
            return result;
        }

        /// <summary>The elements as a nested list-like .NET array (a scalar for 0-d tensors).</summary>
        public object tolist()
        {
            var s = shape;
            Array flat = dtype switch
            {
                ScalarType.Float32 => ToArray<float>(),
                ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16 => ToArray<double>(),
                ScalarType.Bool => ToArray<bool>(),
                ScalarType.Byte => ToArray<byte>(),
                ScalarType.Int32 => ToArray<int>(),
                _ => ToArray<long>(),
            };
            if (s.Length == 0) return flat.GetValue(0)!;
            var result = Array.CreateInstance(flat.GetType().GetElementType()!, s);
            Buffer.BlockCopy(flat, 0, result, 0, Buffer.ByteLength(flat));
            return result;
        }

        // ---- printing ---------------------------------------------------------------------

        /// <summary>A one-line summary: shape, dtype and device (e.g. <c>[2x3], type = Float32, device = cpu</c>).</summary>
        public override string ToString()
        {
            if (IsInvalid) return "Tensor (disposed)";
            var s = shape;
            var dims = s.Length == 0 ? "[]" : "[" + string.Join("x", s.Select(x => x.ToString(CultureInfo.InvariantCulture))) + "]";
            return $"{dims}, type = {dtype}, device = {device}";
        }

        /// <summary>The elements formatted by libtorch.</summary>
        public string ToString(bool disamb, string? fltFormat = null, int? width = null, CultureInfo? cultureInfo = null, string? newLine = null)
            => disamb ? ToString() + Environment.NewLine + Format() : Format();

        internal string Format()
        {
            var p = Native.ets_to_string(HandleChecked);
            if (p == IntPtr.Zero) Native.ThrowLastError();
            try { return Marshal.PtrToStringUTF8(p) ?? ""; }
            finally { Native.ets_free_string(p); }
        }

        /// <summary>Reference equality (<c>==</c> is element-wise and returns a tensor).</summary>
        public override bool Equals(object? obj) => ReferenceEquals(this, obj);

        /// <summary>Reference hash.</summary>
        public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

        internal static Tensor Wrap(TensorHandle h) => new(Native.Check(h));

        internal static IntPtr RawOrZero(Tensor? t) => t is null ? IntPtr.Zero : t.Handle;

        internal static IntPtr[] Raw(IReadOnlyList<Tensor> tensors)
        {
            var result = new IntPtr[tensors.Count];
            for (var i = 0; i < result.Length; i++)
            {
                if (tensors[i] is null) throw new ArgumentNullException(nameof(tensors), $"Tensor at position {i} is null.");
                result[i] = tensors[i].Handle;
            }
            return result;
        }

        internal static Tensor[] WrapList(IntPtr array, int count)
        {
            if (array == IntPtr.Zero) Native.ThrowLastError();
            try
            {
                var result = new Tensor[count];
                for (var i = 0; i < count; i++) result[i] = new Tensor(new TensorHandle(Marshal.ReadIntPtr(array, i * IntPtr.Size)));
                return result;
            }
            finally { Native.ets_free_handle_array(array); }
        }

        internal static (Tensor, Tensor) WrapPair(int rc, IntPtr a, IntPtr b)
        {
            if (rc < 0) Native.ThrowLastError();
            return (new Tensor(new TensorHandle(a)), new Tensor(new TensorHandle(b)));
        }
    }
}
