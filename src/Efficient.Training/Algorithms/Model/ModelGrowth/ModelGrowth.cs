using System;
using System.Collections.Generic;
using System.Linq;
using Efficient.Training.Models;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Model growth by function-preserving transformations (Chen, Goodfellow and Shlens, 2016,
/// "Net2Net: Accelerating Learning via Knowledge Transfer"): train a small network, then make it
/// wider (<see cref="Widen(nn.Module, string, long[], optim.Optimizer?)"/>, Net2WiderNet) or deeper
/// (<see cref="Deepen(nn.Module, string, optim.Optimizer?, Tensor?)"/>, Net2DeeperNet) so that right
/// after growth it computes the same function, and keep training.
/// </summary>
/// <remarks>
/// <para>A growth site is a <c>Sequential</c> holding <c>Conv2d A → [BatchNorm2d] → activation → Conv2d B</c>
/// (the first occurrence in it): the residual branch of a <see cref="BasicBlock"/> is one. Widening
/// replicates output channels of A (and the BatchNorm's channels) by a mapping g and divides B's
/// incoming weights of each replicated channel by its replication count; deepening inserts an
/// identity convolution (plus an identity BatchNorm and a ReLU) after the activation.</para>
/// <para>With an optimizer already built over the model, the grown parameters take
/// the place of the old ones in it (same group and position) and their state is carried: every
/// state tensor shaped like the parameter is a running statistic of its gradients, and is mapped the
/// way the gradient maps under the split (the grown network's gradient right after growth is exactly
/// this image of the small one's): A's and the BatchNorm's replicated channels get g/c, B's split
/// incoming weights keep g; second-moment statistics (names with <c>sq</c> or <c>square</c>, Adagrad's
/// <c>sum</c>) get the square of that factor, and state named like weights (Lookahead's
/// <c>slow_weights</c>) is mapped as the weights are. New parameters (a deeper layer's) join the
/// group of the parameter they mirror, in model order, with a fresh state.</para>
/// </remarks>
public static class ModelGrowth
{
    /// <summary>
    /// The growth sites of <paramref name="model"/>: the named <c>Sequential</c>s when
    /// <paramref name="modules"/> names any (each must qualify), otherwise every residual branch of an
    /// <see cref="IResidualBlock"/> that holds the pattern (none: an empty list).
    /// </summary>
    /// <exception cref="ArgumentException">A named module is missing, is not a <c>Sequential</c>, or holds no <c>Conv2d → [BatchNorm2d] → activation → Conv2d</c>.</exception>
    public static IReadOnlyList<string> FindGrowable(nn.Module model, IEnumerable<string>? modules = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var names = modules?.ToList() ?? new List<string>();
        var all = model.named_modules().ToList();
        if (names.Count > 0)
        {
            var byName = all.GroupBy(m => m.name).ToDictionary(g => g.Key, g => g.First().module);
            var problems = new List<string>();
            foreach (var name in names)
            {
                if (!byName.TryGetValue(name ?? "", out var module) || string.IsNullOrEmpty(name)) problems.Add($"'{name}' is not a submodule of the model");
                else if (module is not Sequential) problems.Add($"'{name}' is a {module.GetType().Name}, not a Sequential");
                else if (Site.Find((Sequential)module, name) is null) problems.Add($"'{name}' holds no Conv2d -> [BatchNorm2d] -> activation -> Conv2d (ungrouped convolutions)");
            }
            if (problems.Count > 0)
                throw new ArgumentException($"Cannot grow {string.Join("; ", problems)}; expected names of Sequential modules that hold Conv2d -> [BatchNorm2d] -> activation -> Conv2d.", nameof(modules));
            return names.Distinct().ToList();
        }
        var sites = new List<string>();
        foreach (var (name, module) in all)
        {
            if (module is not IResidualBlock block) continue;
            var path = name.Length == 0 ? block.ResidualBranchName : $"{name}.{block.ResidualBranchName}";
            if (block.ResidualBranch is Sequential branch && Site.Find(branch, path) is not null) sites.Add(path);
        }
        return sites;
    }

    /// <summary>The width a growth by <paramref name="factor"/> gives: <c>ceil(width · factor)</c>, at least <c>width + 1</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The width is below 1 or the factor is not in (1, 8].</exception>
    public static long WidenedWidth(long width, double factor)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be at least 1.");
        if (!(factor > 1 && factor <= 8)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "The width factor must be in (1, 8].");
        return Math.Max(width + 1, (long)Math.Ceiling(width * factor - 1e-9));
    }

    /// <summary>
    /// Net2WiderNet's random mapping g: <c>g(j) = j</c> for the <paramref name="width"/> old units, and a
    /// unit drawn uniformly from them for each of the <c>newWidth − width</c> new ones.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The width is below 1 or the new width is not larger.</exception>
    public static long[] RandomMapping(long width, long newWidth, Generator? generator = null)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be at least 1.");
        if (newWidth <= width) throw new ArgumentOutOfRangeException(nameof(newWidth), newWidth, $"The new width must be larger than the width ({width}).");
        using var drawn = randint(0, width, new[] { newWidth - width }, dtype: ScalarType.Int64, generator: generator);
        return Enumerable.Range(0, (int)width).Select(i => (long)i).Concat(drawn.data<long>().ToArray()).ToArray();
    }

    /// <summary>The hidden width (output channels of the first convolution) of the growth site <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The path is not a growth site.</exception>
    public static long HiddenWidth(nn.Module model, string path) => Site.At(model, path).A.out_channels;

    /// <summary>
    /// Net2WiderNet on the growth site <paramref name="path"/>: its hidden width becomes
    /// <c>mapping.Length</c>, new channel j copying old channel <c>mapping[j]</c>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The dotted name of a <c>Sequential</c> growth site (see <see cref="FindGrowable"/>).</param>
    /// <param name="mapping">g: <c>mapping[j] = j</c> for the old channels, then the old channel each new one copies (see <see cref="RandomMapping"/>).</param>
    /// <param name="optimizer">The optimizer over the model, whose state is carried to the grown parameters; null when there is none yet.</param>
    /// <exception cref="ArgumentException">The path is not a growth site, or the mapping is not of the paper's form.</exception>
    public static void Widen(nn.Module model, string path, long[] mapping, optim.Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(mapping);
        Widen(new ModelSurgery(model), path, mapping, optimizer);
    }

    /// <summary>
    /// Net2WiderNet on every growth site <paramref name="options"/> selects (<see cref="ModelGrowthOptions.Modules"/>),
    /// each hidden width multiplied by <see cref="ModelGrowthOptions.WidthFactor"/>, the new channels
    /// drawn from <paramref name="generator"/>. Returns how many sites grew.
    /// </summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="ArgumentException">A named module does not qualify.</exception>
    public static int Widen(nn.Module model, ModelGrowthOptions? options = null, optim.Optimizer? optimizer = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new ModelGrowthOptions();
        options.Validate();
        var sites = FindGrowable(model, options.Modules);
        var surgery = new ModelSurgery(model);
        foreach (var path in sites)
        {
            var width = HiddenWidth(model, path);
            Widen(surgery, path, RandomMapping(width, WidenedWidth(width, options.WidthFactor), generator), optimizer);
        }
        return sites.Count;
    }

    /// <summary>
    /// Net2DeeperNet on the growth site <paramref name="path"/>: inserts after its activation an
    /// identity <c>Conv2d</c> (same odd kernel as the first convolution, else 1×1; stride 1, 'same'
    /// zero padding), then, when the site has a BatchNorm, a BatchNorm that is the identity, and, when
    /// the activation is a ReLU, a ReLU (<c>relu(relu(x)) = relu(x)</c>).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The dotted name of a <c>Sequential</c> growth site (not the model itself).</param>
    /// <param name="optimizer">The optimizer over the model: the new parameters join the groups of the layers they mirror; null when there is none yet.</param>
    /// <param name="calibrationInput">
    /// A batch for the model (an <c>nn.Module&lt;Tensor, Tensor&gt;</c>): the new BatchNorm's running
    /// statistics, scale and shift are set from the statistics of its input on this batch (the paper's
    /// "undo the normalization"), so it is the identity in training mode on this batch too. Without
    /// it the statistics are 0 and 1 (the identity in evaluation mode).
    /// </param>
    /// <exception cref="ArgumentException">The path is not a growth site, is the model itself, or the calibration batch cannot be used.</exception>
    public static void Deepen(nn.Module model, string path, optim.Optimizer? optimizer = null, Tensor? calibrationInput = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Deepen(new ModelSurgery(model), path, optimizer, calibrationInput);
    }

    /// <summary>Net2DeeperNet on every growth site <paramref name="options"/> selects. Returns how many sites grew.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="ArgumentException">A named module does not qualify.</exception>
    public static int Deepen(nn.Module model, ModelGrowthOptions? options = null, optim.Optimizer? optimizer = null, Tensor? calibrationInput = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new ModelGrowthOptions();
        options.Validate();
        var sites = FindGrowable(model, options.Modules);
        var surgery = new ModelSurgery(model);
        foreach (var path in sites) Deepen(surgery, path, optimizer, calibrationInput);
        return sites.Count;
    }

    /// <summary>
    /// The stacks progressive stacking grows: the named modules when <paramref name="modules"/> names any
    /// ("" is the model itself; each must implement <see cref="ILayerStack"/>), otherwise the outermost
    /// modules that implement it (none: an empty list).
    /// </summary>
    /// <exception cref="ArgumentException">A named module is missing or does not implement <see cref="ILayerStack"/>.</exception>
    public static IReadOnlyList<string> FindStacks(nn.Module model, IEnumerable<string>? modules = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var names = modules?.ToList() ?? new List<string>();
        var all = model.named_modules().Prepend((name: "", module: model)).ToList();
        if (names.Count > 0)
        {
            var byName = all.GroupBy(m => m.name).ToDictionary(g => g.Key, g => g.First().module);
            var problems = names.Where(n => n is null || !byName.TryGetValue(n, out var m) || m is not ILayerStack)
                .Select(n => n is not null && byName.TryGetValue(n, out var m) ? $"'{n}' is a {m.GetType().Name}, not an ILayerStack" : $"'{n}' is not a submodule of the model")
                .ToList();
            if (problems.Count > 0)
                throw new ArgumentException($"Cannot stack {string.Join("; ", problems)}; expected names of modules that implement ILayerStack (a BertEncoder), \"\" for the model itself.", nameof(modules));
            return names.Distinct().ToList();
        }
        var stacks = new List<string>();
        foreach (var (name, module) in all)
            if (module is ILayerStack && !stacks.Any(s => s.Length == 0 || name.StartsWith(s + ".", StringComparison.Ordinal))) stacks.Add(name);
        return stacks;
    }

    /// <summary>
    /// Progressive stacking (Gong et al., 2019, "Efficient Training of BERT by Progressively Stacking"):
    /// doubles the depth of the <see cref="ILayerStack"/> at <paramref name="path"/> by appending a copy of
    /// each of its L layers in order (layer i + L starts as layer i). With an <paramref name="optimizer"/>,
    /// each copied parameter joins the group of its source in model order, with a copy of its state.
    /// Returns the new depth.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The dotted name of the stack ("" for the model itself).</param>
    /// <param name="optimizer">The optimizer over the model, or null.</param>
    /// <exception cref="ArgumentException">The path does not name an <see cref="ILayerStack"/>.</exception>
    /// <exception cref="InvalidOperationException">A layer cannot be copied (see <see cref="ILayerStack.AppendCopyOf"/>).</exception>
    public static int Stack(nn.Module model, string path = "", optim.Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        var module = path.Length == 0 ? model : model.named_modules().FirstOrDefault(m => m.name == path).module;
        if (module is not ILayerStack stack)
            throw new ArgumentException(module is null
                ? $"'{path}' is not a submodule of the model; expected the name of an ILayerStack (a BertEncoder)."
                : $"'{path}' is a {module.GetType().Name}; expected an ILayerStack (a BertEncoder).", nameof(path));
        PinGroups(optimizer);
        var depth = stack.LayerCount;
        var added = new List<(Parameter Added, Parameter Like)>();
        for (var i = 0; i < depth; i++)
        {
            var source = stack.GetLayer(i).named_parameters().ToDictionary(p => p.name, p => p.parameter);
            var copy = stack.AppendCopyOf(i);
            KeepOutOfScopes(copy);
            foreach (var (name, p) in copy.named_parameters())
                if (source.TryGetValue(name, out var from)) added.Add((p, from));
        }
        if (optimizer is not null)
        {
            var held = new HashSet<Parameter>(optimizer.parameters(), ReferenceEqualityComparer.Instance);
            var joining = added.Where(a => held.Contains(a.Like)).ToList();
            OptimizerSurgery.AddParameters(optimizer, joining, model.parameters().ToList());
            foreach (var (p, from) in joining) OptimizerSurgery.CopyState(optimizer, from, p);
        }
        return stack.LayerCount;
    }

    // ---- implementation ----

    internal static void Widen(ModelSurgery surgery, string path, long[] mapping, optim.Optimizer? optimizer)
    {
        var site = Site.At(surgery.Root, path);
        var width = site.A.out_channels;
        if (mapping.Length <= width)
            throw new ArgumentException($"The mapping has {mapping.Length} entries; expected more than the hidden width {width} of '{path}'.", nameof(mapping));
        for (var j = 0; j < mapping.Length; j++)
        {
            var ok = j < width ? mapping[j] == j : mapping[j] >= 0 && mapping[j] < width;
            if (!ok)
                throw new ArgumentException($"mapping[{j}] = {mapping[j]} is invalid; expected {(j < width ? $"{j} (the old channels keep their place)" : $"an old channel in [0, {width})")}.", nameof(mapping));
        }
        PinGroups(optimizer);
        var device = site.A.weight!.device;
        var growths = new List<ParameterGrowth>();
        var unchanged = new List<(Parameter Old, Parameter New)>();
        using (no_grad())
        {
            var g = tensor(mapping, device: device);
            var counts = bincount(g, minlength: width).to(ScalarType.Float64);
            var perNew = counts.index_select(0, g);              // c[g(j)]
            var inverse = perNew.reciprocal();                   // 1 / c[g(j)]

            var a = NewConv(site.A, site.A.in_channels, mapping.Length);
            growths.Add(Grow(site.A.weight!, a.weight!, 0, g, null, inverse));
            if (site.A.bias is { } ab) growths.Add(Grow(ab, a.bias!, 0, g, null, inverse));

            BatchNorm2d? norm = null;
            if (site.Norm is { } n)
            {
                norm = NewNorm(n, mapping.Length);
                if (n.weight is { } nw) growths.Add(Grow(nw, norm.weight!, 0, g, null, inverse));
                if (n.bias is { } nb) growths.Add(Grow(nb, norm.bias!, 0, g, null, inverse));
                if (n.running_mean is { } rm) norm.running_mean!.copy_(rm.index_select(0, g));
                if (n.running_var is { } rv) norm.running_var!.copy_(rv.index_select(0, g));
                if (n.num_batches_tracked is { } nbt) norm.num_batches_tracked!.copy_(nbt);
            }

            var b = NewConv(site.B, mapping.Length, site.B.out_channels);
            growths.Add(Grow(site.B.weight!, b.weight!, 1, g, inverse, null));
            if (site.B.bias is { } bb)
            {
                b.bias!.copy_(bb);
                unchanged.Add((bb, b.bias!));
            }
            foreach (var growth in growths) growth.New.copy_(growth.MapWeight(growth.Old));

            surgery.Replace(Child(path, site.AName), a);
            if (norm is not null) surgery.Replace(Child(path, site.NormName!), norm);
            surgery.Replace(Child(path, site.BName), b);
            foreach (var m in new nn.Module?[] { a, norm, b }) KeepOutOfScopes(m);
            if (optimizer is not null) CarryState(optimizer, growths, unchanged);
            g.Dispose();
            counts.Dispose();
            perNew.Dispose();
            inverse.Dispose();
        }
    }

    internal static void Deepen(ModelSurgery surgery, string path, optim.Optimizer? optimizer, Tensor? calibrationInput)
    {
        var site = Site.At(surgery.Root, path);
        if (path.Length == 0)
            throw new ArgumentException("Cannot deepen the model itself; expected the name of a Sequential inside it.", nameof(path));
        PinGroups(optimizer);
        var channels = site.A.out_channels;
        var kernel = site.A.kernel_size.All(k => k % 2 == 1) ? site.A.kernel_size.ToArray() : new long[] { 1, 1 };
        var weight = site.A.weight!;
        Tensor? mean = null, variance = null;
        if (site.Norm is not null && calibrationInput is not null) (mean, variance) = Calibrate(surgery.Root, site, calibrationInput);

        Conv2d conv;
        BatchNorm2d? norm = null;
        using (no_grad())
        {
            conv = nn.Conv2d(channels, channels, (kernel[0], kernel[1]), stride: (1, 1), padding: (kernel[0] / 2, kernel[1] / 2), bias: site.A.bias is not null);
            conv.to(weight.device).to(weight.dtype);
            conv.weight!.zero_();
            for (long c = 0; c < channels; c++) conv.weight[c, c, kernel[0] / 2, kernel[1] / 2] = 1;
            conv.bias?.zero_();
            conv.weight.requires_grad_(weight.requires_grad);
            if (site.Norm is { } n)
            {
                norm = NewNorm(n, channels);
                var mu = mean ?? zeros(channels, dtype: ScalarType.Float64);
                var sigma2 = variance ?? ones(channels, dtype: ScalarType.Float64);
                norm.running_mean?.copy_(mu);
                norm.running_var?.copy_(sigma2);
                norm.weight?.copy_((sigma2 + n.eps).sqrt());
                norm.bias?.copy_(mu);
                mean?.Dispose();
                variance?.Dispose();
            }
        }
        var children = site.Branch.named_children().Select(c => (nn.Module<Tensor, Tensor>)c.module).ToList();
        var inserted = new List<nn.Module<Tensor, Tensor>> { conv };
        if (norm is not null) inserted.Add(norm);
        if (site.Activation is ReLU) inserted.Add(nn.ReLU());
        children.InsertRange(site.ActivationIndex + 1, inserted);
        var grown = nn.Sequential(children.ToArray());
        surgery.Replace(path, grown);
        KeepOutOfScopes(conv);
        KeepOutOfScopes(norm);
        if (optimizer is null) return;
        var added = new List<(Parameter, Parameter)> { (conv.weight!, site.A.weight!) };
        if (conv.bias is { } cb) added.Add((cb, site.A.bias!));
        if (norm is not null && site.Norm is { } old)
        {
            if (norm.weight is { } w && old.weight is { } ow) added.Add((w, ow));
            if (norm.bias is { } b && old.bias is { } ob) added.Add((b, ob));
        }
        OptimizerSurgery.AddParameters(optimizer, added, surgery.Root.parameters().ToList());
    }

    // The per-channel mean and (biased) variance of the activation's output on the calibration batch, in evaluation mode.
    private static (Tensor Mean, Tensor Variance) Calibrate(nn.Module root, Site site, Tensor input)
    {
        if (root is not nn.Module<Tensor, Tensor> model)
            throw new ArgumentException($"A calibration batch needs a model that maps a tensor to a tensor; {root.GetType().Name} does not.", nameof(input));
        var modes = root.modules().Prepend(root).Distinct().Select(m => (m, m.training)).ToList();
        Tensor? captured = null;
        var activation = (nn.Module<Tensor, Tensor>)site.Activation;
        var hook = activation.register_forward_hook((_, _, output) =>
        {
            captured ??= output.detach().to(ScalarType.Float64).DetachFromDisposeScope();
            return output;
        });
        root.eval();
        try
        {
            using var scope = NewDisposeScope();
            using (no_grad()) model.call(input);
        }
        finally
        {
            hook.remove();
            foreach (var (m, training) in modes) m.train(training);
        }
        if (captured is null || captured.dim() != 4 || captured.shape[1] != site.A.out_channels)
            throw new ArgumentException($"The calibration batch did not run through the activation of '{site.Path}' with {site.A.out_channels} channels; expected a batch the model takes.", nameof(input));
        using (captured)
        {
            var dims = new long[] { 0, 2, 3 };
            return (captured.mean(dims).DetachFromDisposeScope(), captured.var(dims, unbiased: false).DetachFromDisposeScope());
        }
    }

    private static ParameterGrowth Grow(Parameter old, Parameter grown, int dim, Tensor mapping, Tensor? weightScale, Tensor? gradientScale)
    {
        grown.requires_grad_(old.requires_grad);
        return new ParameterGrowth(old, grown, dim, mapping, weightScale, gradientScale);
    }

    // Moves each grown parameter into the place of the old one in the optimizer, its state mapped first.
    private static void CarryState(optim.Optimizer optimizer, List<ParameterGrowth> growths, List<(Parameter Old, Parameter New)> unchanged)
    {
        var held = new HashSet<Parameter>(optimizer.parameters(), ReferenceEqualityComparer.Instance);
        var map = new Dictionary<Parameter, Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var growth in growths)
        {
            if (!held.Contains(growth.Old)) continue;
            if (OptimizerSurgery.StateOf(optimizer, growth.Old) is { } state)
            {
                foreach (var (name, value, set) in OptimizerSurgery.StateTensors(state))
                {
                    if (value is null || !value.shape.SequenceEqual(growth.Old.shape)) continue;   // scalars (step counts) stay
                    set(growth.MapState(name, value).DetachFromDisposeScope());
                }
            }
            map[growth.Old] = growth.New;
        }
        foreach (var (old, grown) in unchanged)
            if (held.Contains(old)) map[old] = grown;
        optimizer.ReplaceParameters(map);
    }

    private static void PinGroups(optim.Optimizer? optimizer)
    {
        if (optimizer is null) return;
        foreach (var group in optimizer.ParamGroups.Cast<ParamGroup>())
            if (group.Parameters is not List<Parameter>) group.Parameters = group.Parameters.ToList();
    }

    private static void KeepOutOfScopes(nn.Module? module)
    {
        if (module is null) return;
        foreach (var p in module.parameters()) p.DetachFromDisposeScope();
        foreach (var b in module.buffers()) b.DetachFromDisposeScope();
    }

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static Conv2d NewConv(Conv2d like, long inChannels, long outChannels)
    {
        var k = like.kernel_size;
        var conv = like.padding_type is { } padding
            ? nn.Conv2d(inChannels, outChannels, (k[0], k[1]), padding, stride: (like.stride[0], like.stride[1]), dilation: (like.dilation[0], like.dilation[1]), padding_mode: like.padding_mode, bias: like.bias is not null)
            : nn.Conv2d(inChannels, outChannels, (k[0], k[1]), stride: (like.stride[0], like.stride[1]), padding: (like.padding![0], like.padding[1]), dilation: (like.dilation[0], like.dilation[1]), padding_mode: like.padding_mode, bias: like.bias is not null);
        conv.to(like.weight!.device).to(like.weight.dtype);
        return conv;
    }

    private static BatchNorm2d NewNorm(BatchNorm2d like, long features)
    {
        var norm = nn.BatchNorm2d(features, like.eps, like.momentum ?? 0.1, affine: like.weight is not null, track_running_stats: like.running_mean is not null);
        var reference = like.weight ?? like.running_mean;
        if (reference is not null) norm.to(reference.device).to(reference.dtype);
        norm.weight?.requires_grad_(like.weight!.requires_grad);
        norm.bias?.requires_grad_(like.bias!.requires_grad);
        return norm;
    }

    /// <summary>How one parameter grows: along <see cref="Dim"/>, new index j takes old index mapping[j], times a per-index scale.</summary>
    private sealed record ParameterGrowth(Parameter Old, Parameter New, int Dim, Tensor Mapping, Tensor? WeightScale, Tensor? GradientScale)
    {
        public Tensor MapWeight(Tensor value) => Map(value, WeightScale, 1);

        // Momentum-like state maps as the gradient does; second moments with the square; weight-like state as the weight.
        public Tensor MapState(string name, Tensor value)
        {
            var lower = name.ToLowerInvariant();
            if (lower.Contains("weight", StringComparison.Ordinal)) return Map(value, WeightScale, 1);
            var squared = lower.Contains("sq", StringComparison.Ordinal) || lower.Contains("square", StringComparison.Ordinal) || lower == "sum";
            return Map(value, GradientScale, squared ? 2 : 1);
        }

        private Tensor Map(Tensor value, Tensor? scale, int power)
        {
            using var scope = NewDisposeScope();
            var mapped = value.index_select(Dim, Mapping);
            if (scale is not null)
            {
                var shape = Enumerable.Repeat(1L, (int)value.dim()).ToArray();
                shape[Dim] = Mapping.shape[0];
                var s = (power == 1 ? scale : scale.pow(power)).view(shape);
                mapped = (mapped.to(ScalarType.Float64) * s).to(value.dtype);
            }
            return mapped.MoveToOuterDisposeScope();
        }
    }

    /// <summary>A growth site: <c>A → [norm] → activation → B</c> in a Sequential.</summary>
    internal sealed record Site(string Path, Sequential Branch, string AName, Conv2d A, string? NormName, BatchNorm2d? Norm, int ActivationIndex, nn.Module Activation, string BName, Conv2d B)
    {
        private static readonly Type[] Activations = { typeof(ReLU), typeof(ReLU6), typeof(LeakyReLU), typeof(GELU), typeof(SiLU), typeof(ELU), typeof(Tanh), typeof(Sigmoid), typeof(Mish), typeof(Hardswish) };

        public static Site At(nn.Module model, string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            var module = path.Length == 0 ? model : model.named_modules().FirstOrDefault(m => m.name == path).module
                ?? throw new ArgumentException($"'{path}' is not a submodule of the model; expected the name of a growth site (see ModelGrowth.FindGrowable).", nameof(path));
            if (module is not Sequential sequential)
                throw new ArgumentException($"'{path}' is a {module.GetType().Name}; expected a Sequential holding Conv2d -> [BatchNorm2d] -> activation -> Conv2d.", nameof(path));
            return Find(sequential, path)
                ?? throw new ArgumentException($"'{path}' holds no Conv2d -> [BatchNorm2d] -> activation -> Conv2d (ungrouped convolutions); expected a growth site.", nameof(path));
        }

        public static Site? Find(Sequential branch, string path)
        {
            var children = branch.named_children().ToList();
            for (var i = 0; i < children.Count; i++)
            {
                if (children[i].module is not Conv2d a || a.groups != 1) continue;
                var j = i + 1;
                BatchNorm2d? norm = null;
                string? normName = null;
                if (j < children.Count && children[j].module is BatchNorm2d bn && bn.num_features == a.out_channels)
                {
                    norm = bn;
                    normName = children[j].name;
                    j++;
                }
                if (j >= children.Count || !Activations.Contains(children[j].module.GetType())) continue;
                var act = j;
                j++;
                if (j < children.Count && children[j].module is Conv2d b && b.groups == 1 && b.in_channels == a.out_channels)
                    return new Site(path, branch, children[i].name, a, normName, norm, act, children[act].module, children[j].name, b);
            }
            return null;
        }
    }
}
