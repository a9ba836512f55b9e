using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Efficient.Torch.Modules;
using Efficient.Torch.Utils;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// The base of every layer and model: a tree of named submodules, parameters and buffers.
        /// Derive from <see cref="Module{T, TResult}"/>, assign submodules/parameters/buffers to
        /// fields, then call <see cref="RegisterComponents"/> (as in TorchSharp).
        /// </summary>
        public partial class Module : IDisposable
        {
            private readonly List<(string name, Module module)> _submodules = new();
            private readonly List<(string name, Parameter? parameter)> _ownParameters = new();
            private readonly List<(string name, Tensor? buffer, bool persistent)> _buffers = new();
            private bool _registered;
            private bool _training = true;
            private bool _disposed;

            /// <summary>The module's type name, used in messages.</summary>
            protected string? name;

            /// <summary>Creates a module named <paramref name="name"/>.</summary>
            protected Module(string name) => this.name = name;

            /// <summary>The module's name (its type name by default).</summary>
            public virtual string GetName() => name ?? GetType().Name;

            /// <summary>Disposes the module's parameters and buffers and, recursively, its submodules.</summary>
            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            /// <summary>Disposes the module's own tensors and submodules.</summary>
            protected virtual void Dispose(bool disposing)
            {
                if (_disposed || !disposing) return;
                _disposed = true;
                foreach (var (_, m) in _submodules) m.Dispose();
                foreach (var (_, p) in _ownParameters) p?.Dispose();
                foreach (var (_, b, _) in _buffers) b?.Dispose();
            }

            // ---- registration -------------------------------------------------------------

            /// <summary>
            /// Registers every field (public or not, including base types' fields) holding a module,
            /// a <see cref="Parameter"/> or another tensor (a buffer) under the field's name, or the
            /// name given by <see cref="ComponentNameAttribute"/>. Null fields are skipped. Idempotent.
            /// </summary>
            protected virtual void RegisterComponents()
            {
                if (_registered) return;
                _registered = true;
                for (var type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
                {
                    foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        var value = field.GetValue(this);
                        var fieldName = field.ComponentName();
                        switch (value)
                        {
                            case Module m: register_module(fieldName, m); break;
                            case Parameter p: register_parameter(fieldName, p); break;
                            case Tensor t: register_buffer(fieldName, t); break;
                        }
                    }
                }
            }

            private static void CheckName(string name, string kind)
            {
                if (string.IsNullOrEmpty(name)) throw new ArgumentException($"A {kind} name must not be empty.", nameof(name));
                if (name.Contains('.')) throw new ArgumentException($"The {kind} name '{name}' must not contain '.'.", nameof(name));
            }

            private static int IndexOf<T>(List<T> list, Func<T, string> key, string name)
            {
                for (var i = 0; i < list.Count; i++) if (key(list[i]) == name) return i;
                return -1;
            }

            /// <summary>Adds (or replaces) a child module.</summary>
            public virtual void register_module(string name, Module submodule)
            {
                CheckName(name, "module");
                ArgumentNullException.ThrowIfNull(submodule);
                if (ReferenceEquals(submodule, this)) throw new ArgumentException($"A module cannot be its own child ('{name}').", nameof(submodule));
                var i = IndexOf(_submodules, e => e.name, name);
                if (i >= 0) _submodules[i] = (name, submodule);
                else _submodules.Add((name, submodule));
            }

            /// <summary>Adds (or replaces) a child module.</summary>
            public void add_module(string name, Module module) => register_module(name, module);

            /// <summary>Adds (or replaces) a parameter; null removes it from training while keeping the slot.</summary>
            public virtual void register_parameter(string name, Parameter param)
            {
                CheckName(name, "parameter");
                var i = IndexOf(_ownParameters, e => e.name, name);
                if (i >= 0) _ownParameters[i] = (name, param);
                else _ownParameters.Add((name, param));
            }

            /// <summary>Adds (or replaces) a buffer: state that is not trained (e.g. running statistics).</summary>
            public virtual void register_buffer(string name, Tensor tensor, bool persistent = true)
            {
                CheckName(name, "buffer");
                ArgumentNullException.ThrowIfNull(tensor);
                var i = IndexOf(_buffers, e => e.name, name);
                if (i >= 0) _buffers[i] = (name, tensor, persistent);
                else _buffers.Add((name, tensor, persistent));
            }

            /// <summary>Registers <paramref name="value"/> as a parameter, or removes the entry when null.</summary>
            protected void ConditionallyRegisterParameter(string name, Parameter? value)
            {
                if (value is null) _ownParameters.RemoveAll(e => e.name == name);
                else register_parameter(name, value);
            }

            /// <summary>Registers <paramref name="value"/> as a parameter (made one if needed).</summary>
            protected void ConditionallyRegisterParameter(string name, Tensor value) =>
                ConditionallyRegisterParameter(name, value as Parameter ?? new Parameter(value));

            /// <summary>Registers <paramref name="value"/> as a buffer, or removes the entry when null.</summary>
            protected void ConditionallyRegisterBuffer(string name, Tensor? value, bool persistent = true)
            {
                if (value is null) _buffers.RemoveAll(e => e.name == name);
                else register_buffer(name, value, persistent);
            }

            /// <summary>Removes every child module.</summary>
            protected void ClearModules() => _submodules.Clear();

            // ---- traversal ----------------------------------------------------------------

            /// <summary>The immediate children with their names.</summary>
            public virtual IEnumerable<(string name, Module module)> named_children() => _submodules.ToArray();

            /// <summary>The immediate children.</summary>
            public virtual IEnumerable<Module> children() => named_children().Select(c => c.module);

            /// <summary>All descendants with dotted names (children first, then their descendants), not including this module.</summary>
            public virtual IEnumerable<(string name, Module module)> named_modules()
            {
                foreach (var child in named_children()) yield return child;
                foreach (var (childName, child) in named_children())
                    foreach (var (n, m) in child.named_modules())
                        yield return ($"{childName}.{n}", m);
            }

            /// <summary>All descendants.</summary>
            public virtual IEnumerable<Module> modules() => named_modules().Select(m => m.module);

            /// <summary>This module's own parameters.</summary>
            protected virtual (string name, Parameter parameter)[] _named_parameters() =>
                _ownParameters.Where(p => p.parameter is not null).Select(p => (p.name, p.parameter!)).ToArray();

            /// <summary>This module's own buffers.</summary>
            protected virtual (string name, Tensor buffer)[] _named_buffers() =>
                _buffers.Where(b => b.buffer is not null).Select(b => (b.name, b.buffer!)).ToArray();

            /// <summary>Parameters with dotted names (each shared parameter once).</summary>
            public virtual IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
            {
                var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                foreach (var (n, p) in _named_parameters())
                    if (seen.Add(p)) yield return (n, p);
                if (!recurse) yield break;
                foreach (var (childName, child) in named_children())
                    foreach (var (n, p) in child.named_parameters(true))
                        if (seen.Add(p)) yield return ($"{childName}.{n}", p);
            }

            /// <summary>This module's own parameters.</summary>
            protected virtual Parameter[] _parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter).ToArray();

            /// <summary>All parameters (each shared parameter once).</summary>
            public virtual IEnumerable<Parameter> parameters(bool recurse = true) => _parameters(recurse);

            /// <summary>Buffers with dotted names.</summary>
            public virtual IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true, bool include_nonpersistent = true)
            {
                foreach (var (n, b, persistent) in _buffers)
                    if (b is not null && (persistent || include_nonpersistent)) yield return (n, b);
                if (!recurse) yield break;
                foreach (var (childName, child) in named_children())
                    foreach (var (n, b) in child.named_buffers(true, include_nonpersistent))
                        yield return ($"{childName}.{n}", b);
            }

            /// <summary>All buffers.</summary>
            public virtual IEnumerable<Tensor> buffers(bool recurse = true, bool include_nonpersistent = true) => named_buffers(recurse, include_nonpersistent).Select(b => b.buffer);

            /// <summary>Whether a buffer with this dotted name exists.</summary>
            public virtual bool has_buffer(string target) => get_buffer(target) is not null;

            /// <summary>Whether a parameter with this dotted name exists.</summary>
            public virtual bool has_parameter(string target) => get_parameter(target) is not null;

            /// <summary>The buffer with this dotted name, or null.</summary>
            public virtual Tensor? get_buffer(string target) => named_buffers().FirstOrDefault(b => b.name == target).buffer;

            /// <summary>The parameter with this dotted name, or null.</summary>
            public virtual Parameter? get_parameter(string target) => named_parameters().FirstOrDefault(p => p.name == target).parameter;

            /// <summary>Applies <paramref name="fn"/> to every descendant, then to this module.</summary>
            public virtual Module apply(Action<Module> fn)
            {
                foreach (var child in children()) child.apply(fn);
                fn(this);
                return this;
            }

            // ---- modes and gradients ------------------------------------------------------

            /// <summary>Switches this module and its descendants to training (or evaluation) mode.</summary>
            public virtual void train(bool train = true)
            {
                _training = train;
                foreach (var child in children()) child.train(train);
            }

            /// <summary>Switches to evaluation mode.</summary>
            public virtual void eval() => train(false);

            /// <summary>Whether the module is in training mode.</summary>
            public virtual bool training => _training;

            /// <summary>Clears the gradients of all parameters (drops them, or zeroes them in place).</summary>
            public virtual void zero_grad(bool set_to_none = true)
            {
                foreach (var p in parameters())
                {
                    if (set_to_none)
                    {
                        p.grad = null;
                        continue;
                    }
                    using var g = p.grad;
                    if (g is null) continue;
                    using (no_grad())
                    {
                        g.detach_();
                        g.zero_();
                    }
                }
            }

            // ---- state --------------------------------------------------------------------

            /// <summary>The parameters and persistent buffers by dotted name (the live tensors, not copies).</summary>
            public virtual Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
            {
                var result = destination ?? new Dictionary<string, Tensor>();
                foreach (var (n, p) in named_parameters()) result[prefix is null ? n : $"{prefix}.{n}"] = p;
                foreach (var (n, b) in named_buffers(true, include_nonpersistent: false)) result[prefix is null ? n : $"{prefix}.{n}"] = b;
                return result;
            }

            /// <summary>
            /// Copies tensors from <paramref name="source"/> into the parameters and buffers of the same
            /// names. With <paramref name="strict"/>, missing or unexpected keys throw; shapes must match.
            /// </summary>
            public virtual (IList<string> missing_keys, IList<string> unexpected_keyes) load_state_dict(Dictionary<string, Tensor> source, bool strict = true, IList<string>? skip = null)
            {
                ArgumentNullException.ThrowIfNull(source);
                var own = state_dict();
                var skipped = new HashSet<string>(skip ?? Array.Empty<string>());
                var missing = own.Keys.Where(k => !source.ContainsKey(k) && !skipped.Contains(k)).ToList();
                var unexpected = source.Keys.Where(k => !own.ContainsKey(k) && !skipped.Contains(k)).ToList();
                if (strict && (missing.Count > 0 || unexpected.Count > 0))
                    throw new InvalidOperationException($"load_state_dict for {GetName()}: missing keys [{string.Join(", ", missing)}], unexpected keys [{string.Join(", ", unexpected)}].");
                foreach (var (key, target) in own)
                {
                    if (skipped.Contains(key) || !source.TryGetValue(key, out var value)) continue;
                    if (!target.shape.SequenceEqual(value.shape))
                        throw new InvalidOperationException($"load_state_dict for {GetName()}: '{key}' has shape [{string.Join(", ", value.shape)}] in the source but [{string.Join(", ", target.shape)}] in the module.");
                    using (no_grad()) target.copy_(value);
                }
                return (missing, unexpected);
            }

            // ---- moving -------------------------------------------------------------------

            /// <summary>
            /// Converts every parameter and buffer in place (parameters keep their identity, so
            /// optimizers built before the move stay valid; buffers are replaced).
            /// </summary>
            internal void MoveTo(ScalarType? dtype, Device? device, bool non_blocking)
            {
                foreach (var module in modules().Prepend(this))
                {
                    foreach (var (_, p) in module._named_parameters())
                    {
                        if (dtype.HasValue && !p.is_floating_point()) continue;
                        using var moved = Convert(p, dtype, device, non_blocking);
                        if (moved is not null)
                        {
                            using (no_grad()) p.SetData(moved);
                        }
                    }
                    for (var i = 0; i < module._buffers.Count; i++)
                    {
                        var (n, b, persistent) = module._buffers[i];
                        if (b is null || (dtype.HasValue && !b.is_floating_point())) continue;
                        var moved = Convert(b, dtype, device, non_blocking);
                        if (moved is null) continue;
                        moved.DetachFromDisposeScope();
                        module.ReplaceBufferEverywhere(n, b, moved, persistent, i);
                    }
                }
            }

            private static Tensor? Convert(Tensor t, ScalarType? dtype, Device? device, bool nonBlocking)
            {
                var sameType = !dtype.HasValue || t.dtype == dtype.Value;
                var sameDevice = device is null || (t.device_type == device.type && (device.index < 0 || t.device_index == device.index));
                if (sameType && sameDevice) return null;
                var result = device is null ? t.to(dtype!.Value, false, false, nonBlocking)
                    : dtype.HasValue ? t.to(dtype.Value, device, false, false, nonBlocking) : t.to(device, false, false, nonBlocking);
                return result.detach();
            }

            private void ReplaceBufferEverywhere(string bufferName, Tensor old, Tensor replacement, bool persistent, int index)
            {
                _buffers[index] = (bufferName, replacement, persistent);
                for (var type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
                {
                    foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                        if (ReferenceEquals(field.GetValue(this), old)) field.SetValue(this, replacement);
                }
                old.Dispose();
            }

            /// <summary>Moves the module like another tensor's dtype and device.</summary>
            public Module _to(Tensor other, bool non_blocking)
            {
                MoveTo(other.dtype, other.device, non_blocking);
                return this;
            }

            internal void ReplaceChild(string childName, Module replacement)
            {
                var i = IndexOf(_submodules, e => e.name, childName);
                if (i < 0) throw new ArgumentException($"{GetName()} has no child module named '{childName}'.", nameof(childName));
                var old = _submodules[i].module;
                // Check every field that holds the old child before changing anything.
                var fields = new List<FieldInfo>();
                for (var type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
                {
                    foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        if (!ReferenceEquals(field.GetValue(this), old)) continue;
                        if (!field.FieldType.IsInstanceOfType(replacement))
                            throw new ArgumentException($"Cannot put a {replacement.GetType().Name} into field '{field.Name}' of {GetName()}, which holds a {field.FieldType.Name}; declare the field as a base type (e.g. nn.Module<Tensor, Tensor>) to allow model surgery.", nameof(replacement));
                        fields.Add(field);
                    }
                }
                _submodules[i] = (childName, replacement);
                foreach (var field in fields) field.SetValue(this, replacement);
                OnChildReplaced(childName, old, replacement);
            }

            /// <summary>Called after a child was replaced by name; containers update their own lists.</summary>
            private protected virtual void OnChildReplaced(string childName, Module old, Module replacement) { }

            /// <inheritdoc />
            public override string ToString() => GetName();
        }

        /// <summary>A module that supports forward pre- and post-hooks.</summary>
        public class HookableModule<TPreHook, TPostHook> : Module where TPreHook : Delegate where TPostHook : Delegate
        {
            /// <summary>The registered pre-hooks, in order.</summary>
            private protected readonly List<(int id, TPreHook hook)> PreHooks = new();
            /// <summary>The registered post-hooks, in order.</summary>
            private protected readonly List<(int id, TPostHook hook)> PostHooks = new();
            private int _nextHookId;

            /// <summary>Creates a hookable module.</summary>
            protected HookableModule(string name) : base(name) { }

            /// <summary>Registers a hook that runs after forward and may replace its result.</summary>
            public HookRemover register_forward_hook(TPostHook hook)
            {
                var id = ++_nextHookId;
                PostHooks.Add((id, hook));
                return new HookRemover(() => PostHooks.RemoveAll(h => h.id == id));
            }

            /// <summary>Registers a hook that runs before forward and may replace its input.</summary>
            public HookRemover register_forward_pre_hook(TPreHook hook)
            {
                var id = ++_nextHookId;
                PreHooks.Add((id, hook));
                return new HookRemover(() => PreHooks.RemoveAll(h => h.id == id));
            }
        }

        /// <summary>Removes a hook when called or disposed.</summary>
        public sealed class HookRemover : IDisposable
        {
            private Action? _remove;

            internal HookRemover(Action remove) => _remove = remove;

            /// <summary>Removes the hook.</summary>
            public void remove()
            {
                _remove?.Invoke();
                _remove = null;
            }

            /// <summary>Removes the hook.</summary>
            public void Dispose() => remove();
        }

        /// <summary>A callable module with one input.</summary>
        public interface IModule<T, TResult>
        {
            /// <summary>Runs the module (hooks included).</summary>
            TResult call(T input1);
        }

        /// <summary>A callable module with two inputs.</summary>
        public interface IModule<T1, T2, TResult>
        {
            /// <summary>Runs the module (hooks included).</summary>
            TResult call(T1 input1, T2 input2);
        }

        /// <summary>A callable module with three inputs.</summary>
        public interface IModule<T1, T2, T3, TResult>
        {
            /// <summary>Runs the module (hooks included).</summary>
            TResult call(T1 input1, T2 input2, T3 input3);
        }

        /// <summary>A callable module with four inputs.</summary>
        public interface IModule<T1, T2, T3, T4, TResult>
        {
            /// <summary>Runs the module (hooks included).</summary>
            TResult call(T1 input1, T2 input2, T3 input3, T4 input4);
        }

        /// <summary>A callable module with five inputs.</summary>
        public interface IModule<T1, T2, T3, T4, T5, TResult>
        {
            /// <summary>Runs the module (hooks included).</summary>
            TResult call(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5);
        }

        /// <summary>A callable module with six inputs.</summary>
        public interface IModule<T1, T2, T3, T4, T5, T6, TResult>
        {
            /// <summary>Runs the module (hooks included).</summary>
            TResult call(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5, T6 input6);
        }

        /// <summary>A module with one input: implement <see cref="forward"/>; callers use <see cref="call"/>.</summary>
        public abstract class Module<T, TResult> : HookableModule<Func<Module<T, TResult>, T, T>, Func<Module<T, TResult>, T, TResult, TResult>>, IModule<T, TResult>
        {
            /// <summary>Creates a module.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation.</summary>
            public abstract TResult forward(T input);

            /// <summary>Runs pre-hooks, <see cref="forward"/>, then post-hooks.</summary>
            public TResult call(T input)
            {
                if (PreHooks.Count > 0)
                    foreach (var (_, hook) in PreHooks.ToArray()) input = hook(this, input);
                var result = forward(input);
                if (PostHooks.Count > 0)
                    foreach (var (_, hook) in PostHooks.ToArray()) result = hook(this, input, result);
                return result;
            }
        }

        /// <summary>A module with two inputs.</summary>
        public abstract class Module<T1, T2, TResult> : HookableModule<Func<Module<T1, T2, TResult>, T1, T2, (T1, T2)?>, Func<Module<T1, T2, TResult>, T1, T2, TResult, TResult>>, IModule<T1, T2, TResult>
        {
            /// <summary>Creates a module.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation.</summary>
            public abstract TResult forward(T1 input1, T2 input2);

            /// <summary>Runs pre-hooks, <see cref="forward"/>, then post-hooks.</summary>
            public TResult call(T1 input1, T2 input2)
            {
                foreach (var (_, hook) in PreHooks.ToArray())
                    if (hook(this, input1, input2) is { } replaced) (input1, input2) = replaced;
                var result = forward(input1, input2);
                foreach (var (_, hook) in PostHooks.ToArray()) result = hook(this, input1, input2, result);
                return result;
            }
        }

        /// <summary>A module with three inputs.</summary>
        public abstract class Module<T1, T2, T3, TResult> : HookableModule<Func<Module<T1, T2, T3, TResult>, T1, T2, T3, (T1, T2, T3)?>, Func<Module<T1, T2, T3, TResult>, T1, T2, T3, TResult, TResult>>, IModule<T1, T2, T3, TResult>
        {
            /// <summary>Creates a module.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation.</summary>
            public abstract TResult forward(T1 input1, T2 input2, T3 input3);

            /// <summary>Runs pre-hooks, <see cref="forward"/>, then post-hooks.</summary>
            public TResult call(T1 input1, T2 input2, T3 input3)
            {
                foreach (var (_, hook) in PreHooks.ToArray())
                    if (hook(this, input1, input2, input3) is { } replaced) (input1, input2, input3) = replaced;
                var result = forward(input1, input2, input3);
                foreach (var (_, hook) in PostHooks.ToArray()) result = hook(this, input1, input2, input3, result);
                return result;
            }
        }

        /// <summary>A module with four inputs.</summary>
        public abstract class Module<T1, T2, T3, T4, TResult> : HookableModule<Func<Module<T1, T2, T3, T4, TResult>, T1, T2, T3, T4, (T1, T2, T3, T4)?>, Func<Module<T1, T2, T3, T4, TResult>, T1, T2, T3, T4, TResult, TResult>>, IModule<T1, T2, T3, T4, TResult>
        {
            /// <summary>Creates a module.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation.</summary>
            public abstract TResult forward(T1 input1, T2 input2, T3 input3, T4 input4);

            /// <summary>Runs pre-hooks, <see cref="forward"/>, then post-hooks.</summary>
            public TResult call(T1 input1, T2 input2, T3 input3, T4 input4)
            {
                foreach (var (_, hook) in PreHooks.ToArray())
                    if (hook(this, input1, input2, input3, input4) is { } replaced) (input1, input2, input3, input4) = replaced;
                var result = forward(input1, input2, input3, input4);
                foreach (var (_, hook) in PostHooks.ToArray()) result = hook(this, input1, input2, input3, input4, result);
                return result;
            }
        }

        /// <summary>A module with five inputs.</summary>
        public abstract class Module<T1, T2, T3, T4, T5, TResult> : HookableModule<Func<Module<T1, T2, T3, T4, T5, TResult>, T1, T2, T3, T4, T5, (T1, T2, T3, T4, T5)?>, Func<Module<T1, T2, T3, T4, T5, TResult>, T1, T2, T3, T4, T5, TResult, TResult>>, IModule<T1, T2, T3, T4, T5, TResult>
        {
            /// <summary>Creates a module.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation.</summary>
            public abstract TResult forward(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5);

            /// <summary>Runs pre-hooks, <see cref="forward"/>, then post-hooks.</summary>
            public TResult call(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5)
            {
                foreach (var (_, hook) in PreHooks.ToArray())
                    if (hook(this, input1, input2, input3, input4, input5) is { } replaced) (input1, input2, input3, input4, input5) = replaced;
                var result = forward(input1, input2, input3, input4, input5);
                foreach (var (_, hook) in PostHooks.ToArray()) result = hook(this, input1, input2, input3, input4, input5, result);
                return result;
            }
        }

        /// <summary>A module with six inputs.</summary>
        public abstract class Module<T1, T2, T3, T4, T5, T6, TResult> : HookableModule<Func<Module<T1, T2, T3, T4, T5, T6, TResult>, T1, T2, T3, T4, T5, T6, (T1, T2, T3, T4, T5, T6)?>, Func<Module<T1, T2, T3, T4, T5, T6, TResult>, T1, T2, T3, T4, T5, T6, TResult, TResult>>, IModule<T1, T2, T3, T4, T5, T6, TResult>
        {
            /// <summary>Creates a module.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation.</summary>
            public abstract TResult forward(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5, T6 input6);

            /// <summary>Runs pre-hooks, <see cref="forward"/>, then post-hooks.</summary>
            public TResult call(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5, T6 input6)
            {
                foreach (var (_, hook) in PreHooks.ToArray())
                    if (hook(this, input1, input2, input3, input4, input5, input6) is { } replaced) (input1, input2, input3, input4, input5, input6) = replaced;
                var result = forward(input1, input2, input3, input4, input5, input6);
                foreach (var (_, hook) in PostHooks.ToArray()) result = hook(this, input1, input2, input3, input4, input5, input6, result);
                return result;
            }
        }
    }
}

/// <summary>Module conversions that return the caller's static type, as in TorchSharp.</summary>
public static class ModuleExtensionMethods
{
    /// <summary>Converts floating-point parameters and buffers to <paramref name="type"/>.</summary>
    public static T to<T>(this T module, torch.ScalarType type, bool non_blocking = false) where T : torch.nn.Module
    {
        module.MoveTo(type, null, non_blocking);
        return module;
    }

    /// <summary>Moves to a device and converts floating-point tensors to <paramref name="type"/>.</summary>
    public static T to<T>(this T module, torch.Device device, torch.ScalarType type, bool non_blocking = false) where T : torch.nn.Module
    {
        module.MoveTo(type, device, non_blocking);
        return module;
    }

    /// <summary>Moves to a device.</summary>
    public static T to<T>(this T module, DeviceType deviceType, int deviceIndex = -1, bool non_blocking = false) where T : torch.nn.Module
        => module.to(new torch.Device(deviceType, deviceIndex), non_blocking);

    /// <summary>Moves to a device.</summary>
    public static T to<T>(this T module, torch.Device device, bool non_blocking = false) where T : torch.nn.Module
    {
        module.MoveTo(null, device, non_blocking);
        return module;
    }

    /// <summary>Moves to a device given by description (<c>"cuda:0"</c>).</summary>
    public static T to<T>(this T module, string device, bool non_blocking = false) where T : torch.nn.Module => module.to(new torch.Device(device), non_blocking);

    /// <summary>Moves to the dtype and device of <paramref name="other"/>.</summary>
    public static T to<T>(this T module, torch.Tensor other, bool non_blocking = false) where T : torch.nn.Module
    {
        module.MoveTo(other.dtype, other.device, non_blocking);
        return module;
    }

    /// <summary>Moves to host memory.</summary>
    public static T cpu<T>(this T module, bool non_blocking = false) where T : torch.nn.Module => module.to(torch.CPU, non_blocking);

    /// <summary>Moves to a CUDA device.</summary>
    public static T cuda<T>(this T module, int deviceIndex = -1, bool non_blocking = false) where T : torch.nn.Module => module.to(new torch.Device(DeviceType.CUDA, deviceIndex), non_blocking);

    /// <summary>Converts floating-point tensors to float16.</summary>
    public static T half<T>(this T module, bool non_blocking = false) where T : torch.nn.Module => module.to(torch.ScalarType.Float16, non_blocking);

    /// <summary>Converts floating-point tensors to bfloat16.</summary>
    public static T bfloat16<T>(this T module, bool non_blocking = false) where T : torch.nn.Module => module.to(torch.ScalarType.BFloat16, non_blocking);

    /// <summary>Converts floating-point tensors to float32.</summary>
    public static T @float<T>(this T module, bool non_blocking = false) where T : torch.nn.Module => module.to(torch.ScalarType.Float32, non_blocking);

    /// <summary>Converts floating-point tensors to float64.</summary>
    public static T @double<T>(this T module, bool non_blocking = false) where T : torch.nn.Module => module.to(torch.ScalarType.Float64, non_blocking);

    /// <summary>The name under which a field is registered: its <see cref="ComponentNameAttribute"/> or its name.</summary>
    public static string ComponentName(this FieldInfo field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var attr = field.GetCustomAttribute<ComponentNameAttribute>();
        if (attr is not null && !string.IsNullOrEmpty(attr.Name)) return attr.Name;
        var n = field.Name;
        // Auto-property backing fields are named <Name>k__BackingField.
        if (n.StartsWith('<') && n.IndexOf('>') is var end and > 1) return n[1..end];
        return n;
    }
}
