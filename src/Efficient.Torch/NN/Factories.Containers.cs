using System;
using System.Collections.Generic;
using System.Linq;
using Efficient.Torch.Modules;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>An empty sequence; add modules with <c>append</c>.</summary>
        public static Sequential Sequential() => Modules.Sequential.Create(Array.Empty<Module<Tensor, Tensor>>());

        /// <summary>A sequence of named modules (names must be distinct).</summary>
        public static Sequential Sequential(params (string name, Module<Tensor, Tensor> submodule)[] modules)
        {
            ArgumentNullException.ThrowIfNull(modules);
            return Modules.Sequential.Create(modules.Select(m => (m.name, m.submodule)));
        }

        /// <summary>A sequence of modules named "0", "1", ...</summary>
        public static Sequential Sequential(params Module<Tensor, Tensor>[] modules)
        {
            ArgumentNullException.ThrowIfNull(modules);
            return Modules.Sequential.Create(modules);
        }

        /// <summary>A sequence of named modules (names must be distinct).</summary>
        public static Sequential Sequential(params Tuple<string, Module<Tensor, Tensor>>[] modules)
        {
            ArgumentNullException.ThrowIfNull(modules);
            return Modules.Sequential.Create(modules.Select(m => (m.Item1, m.Item2)));
        }

        /// <summary>A sequence of named modules (names must be distinct).</summary>
        public static Sequential Sequential(IEnumerable<(string name, Module<Tensor, Tensor> submodule)> modules)
        {
            ArgumentNullException.ThrowIfNull(modules);
            return Modules.Sequential.Create(modules.Select(m => (m.name, m.submodule)));
        }

        /// <summary>A sequence of named modules (names must be distinct).</summary>
        public static Sequential Sequential(IEnumerable<Tuple<string, Module<Tensor, Tensor>>> modules)
        {
            ArgumentNullException.ThrowIfNull(modules);
            return Modules.Sequential.Create(modules.Select(m => (m.Item1, m.Item2)));
        }

        /// <summary>A sequence of modules named "0", "1", ...</summary>
        public static Sequential Sequential(IEnumerable<Module<Tensor, Tensor>> modules)
        {
            ArgumentNullException.ThrowIfNull(modules);
            return Modules.Sequential.Create(modules);
        }

        /// <summary>A list of modules of any type.</summary>
        public static ModuleList<Module> ModuleList(params Module[] modules) => new(modules);

        /// <summary>A list of modules of type <typeparamref name="T"/>.</summary>
        public static ModuleList<T> ModuleList<T>(params T[] modules) where T : Module => new(modules);

        /// <summary>An ordered dictionary of modules of any type.</summary>
        public static ModuleDict<Module> ModuleDict(params (string, Module)[] modules)
        {
            ArgumentNullException.ThrowIfNull(modules);
            var result = new ModuleDict<Module>();
            foreach (var item in modules) result.Add(item);
            return result;
        }

        /// <summary>An ordered dictionary of modules of type <typeparamref name="T"/>.</summary>
        public static ModuleDict<T> ModuleDict<T>(params (string, T)[] modules) where T : Module
        {
            ArgumentNullException.ThrowIfNull(modules);
            var result = new ModuleDict<T>();
            foreach (var item in modules) result.Add(item);
            return result;
        }
    }
}
