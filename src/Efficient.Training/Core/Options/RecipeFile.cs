using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Efficient.Training.Schedulers;

namespace Efficient.Training;

/// <summary>One named part of a <see cref="RecipeDefinition"/>: an algorithm, the optimizer or the schedule, with its options.</summary>
public sealed class RecipeComponent
{
    /// <summary>
    /// The name: an algorithm (<c>MixUp</c>, <c>ProgressiveResizing</c>, ...: the algorithm type without
    /// <c>Algorithm</c>), an optimizer (<c>SGD</c>, <c>AdamW</c>, <c>DecoupledSGDW</c>,
    /// <c>DecoupledAdamW</c>, <c>Lamb</c>, <c>Lars</c>) or a schedule (<c>CosineAnnealing</c>, <c>Linear</c>, ...:
    /// the Composer scheduler type without <c>Scheduler</c>).
    /// </summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// The options: an algorithm's options properties (<c>{"Alpha": 0.2}</c>), or the optimizer's or
    /// schedule's constructor parameters by name (<c>{"lr": 0.1, "momentum": 0.9}</c>,
    /// <c>{"t_max": "1dur"}</c>). Durations are text (<c>"2ep"</c>), enums their names.
    /// </summary>
    public JsonObject Options { get; set; } = new();
}

/// <summary>
/// A training recipe as data (Composer's YAML recipes, in JSON): the algorithms in hook order with
/// their options, the scale-schedule ratio, and optionally the optimizer and the learning-rate
/// schedule. <see cref="RecipeFile"/> reads and writes it; <see cref="CreateAlgorithms"/> builds the
/// same objects C# code builds, validated with the same messages.
/// </summary>
public sealed class RecipeDefinition
{
    /// <summary>A name for logs (optional).</summary>
    public string? Name { get; set; }

    /// <summary>The scale-schedule ratio (<see cref="TrainerOptions.ScaleScheduleRatio"/>). Default 1.</summary>
    public double ScaleScheduleRatio { get; set; } = 1.0;

    /// <summary>The optimizer (optional).</summary>
    public RecipeComponent? Optimizer { get; set; }

    /// <summary>The learning-rate schedule, a Composer scheduler stepped per batch (optional).</summary>
    public RecipeComponent? Schedule { get; set; }

    /// <summary>The algorithms, in hook order (registration order = outermost first).</summary>
    public List<RecipeComponent> Algorithms { get; set; } = new();

    /// <summary>Builds the algorithms (each validates its options, with its own messages).</summary>
    /// <exception cref="InvalidDataException">An algorithm is unknown, an option does not exist or has the wrong type, or the options are invalid (the message says which algorithm and why).</exception>
    public IReadOnlyList<IAlgorithm> CreateAlgorithms() => Algorithms.Select((a, i) => RecipeFile.CreateAlgorithm(a, i)).ToList();

    /// <summary>The optimizer factory (null when the recipe names none).</summary>
    /// <exception cref="InvalidDataException">The optimizer is unknown or a parameter is wrong.</exception>
    public Func<IEnumerable<Parameter>, optim.Optimizer>? CreateOptimizer()
    {
        if (Optimizer is not { } o) return null;
        var factory = RecipeFile.OptimizerFactory(o);
        return parameters => factory(parameters);
    }

    /// <summary>The schedulers factory for <see cref="TrainerOptions.Schedulers"/> (null when the recipe names no schedule).</summary>
    /// <exception cref="InvalidDataException">The schedule is unknown or a parameter is wrong.</exception>
    public Func<optim.Optimizer, TrainingState, IEnumerable<optim.lr_scheduler.LRScheduler>>? CreateSchedulers()
    {
        if (Schedule is not { } s) return null;
        var scheduler = RecipeFile.CreateScheduler(s);
        return (optimizer, state) => new optim.lr_scheduler.LRScheduler[] { scheduler.Attach(optimizer, state) };
    }

    /// <summary>Adds the recipe to <paramref name="options"/>: its algorithms (after any already there), its ratio, and its optimizer and schedule when it names them.</summary>
    public void ApplyTo(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var algorithm in CreateAlgorithms()) options.Algorithms.Add(algorithm);
        options.ScaleScheduleRatio = ScaleScheduleRatio;
        if (CreateOptimizer() is { } optimizer) options.Optimizer = optimizer;
        if (CreateSchedulers() is { } schedulers) options.Schedulers = schedulers;
    }
}

/// <summary>Reads and writes <see cref="RecipeDefinition"/>s as JSON files.</summary>
public static class RecipeFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(), new DurationJsonConverter() },
    };

    // Algorithm options keep their C# property names (as TrainerOptions binding does).
    private static readonly JsonSerializerOptions OptionsJson = new(Json) { PropertyNamingPolicy = null };

    private static readonly Dictionary<string, Type> AlgorithmTypes = typeof(IAlgorithm).Assembly.GetExportedTypes()
        .Where(t => t.IsClass && !t.IsAbstract && typeof(IAlgorithm).IsAssignableFrom(t) && t.Name.EndsWith("Algorithm", StringComparison.Ordinal) && OptionsConstructor(t) is not null)
        .ToDictionary(t => t.Name[..^"Algorithm".Length], StringComparer.OrdinalIgnoreCase);

    /// <summary>The algorithm names a recipe can use.</summary>
    public static IReadOnlyList<string> AlgorithmNames { get; } = AlgorithmTypes.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The optimizer names a recipe can use.</summary>
    public static IReadOnlyList<string> OptimizerNames { get; } = new[] { "SGD", "Adam", "AdamW", "DecoupledSGDW", "DecoupledAdamW", "Lamb", "Lars" };

    /// <summary>Reads a recipe file.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a recipe (the message names the file and the problem).</exception>
    public static RecipeDefinition Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No recipe file at '{path}'.", path);
        return Parse(File.ReadAllText(path), $"recipe file '{path}'");
    }

    /// <summary>Reads a recipe from JSON text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The text is not a recipe.</exception>
    public static RecipeDefinition Parse(string json, string source = "recipe")
    {
        ArgumentNullException.ThrowIfNull(json);
        RecipeDefinition? recipe;
        try
        {
            recipe = JsonSerializer.Deserialize<RecipeDefinition>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The {source} is not a valid recipe: {e.Message} Expected {{ \"scaleScheduleRatio\": 0.5, \"algorithms\": [ {{ \"name\": \"MixUp\", \"options\": {{ \"Alpha\": 0.2 }} }} ] }}.", e);
        }
        if (recipe is null) throw new InvalidDataException($"The {source} is empty; expected a recipe object.");
        if (!(recipe.ScaleScheduleRatio > 0 && recipe.ScaleScheduleRatio <= 10))
            throw new InvalidDataException($"The {source} has scaleScheduleRatio {recipe.ScaleScheduleRatio.ToString(CultureInfo.InvariantCulture)}; expected a value in (0, 10].");
        for (var i = 0; i < recipe.Algorithms.Count; i++)
            if (!AlgorithmTypes.ContainsKey(recipe.Algorithms[i].Name))
                throw new InvalidDataException($"The {source} names an unknown algorithm '{recipe.Algorithms[i].Name}' (algorithm {i + 1}); expected one of {string.Join(", ", AlgorithmNames)}.");
        return recipe;
    }

    /// <summary>The recipe as JSON text (what <see cref="Parse"/> reads back).</summary>
    public static string ToJson(RecipeDefinition recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return JsonSerializer.Serialize(recipe, Json);
    }

    /// <summary>Writes the recipe to <paramref name="path"/> (a temporary file renamed into place).</summary>
    public static void Save(RecipeDefinition recipe, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllText(path, ToJson(recipe));
    }

    /// <summary>The options type of algorithm <paramref name="name"/> (null when it takes none), or an exception listing the names.</summary>
    internal static (Type Algorithm, Type? Options) AlgorithmType(string name, string where)
    {
        if (!AlgorithmTypes.TryGetValue(name, out var type))
            throw new InvalidDataException($"{where} names an unknown algorithm '{name}'; expected one of {string.Join(", ", AlgorithmNames)}.");
        var parameters = OptionsConstructor(type)!.GetParameters();
        return (type, parameters.Length == 1 ? parameters[0].ParameterType : null);
    }

    /// <summary>Creates algorithm <paramref name="type"/> with <paramref name="options"/> (validated by the algorithm).</summary>
    internal static IAlgorithm CreateAlgorithm(Type type, object? options)
    {
        var constructor = OptionsConstructor(type)!;
        try
        {
            return (IAlgorithm)constructor.Invoke(constructor.GetParameters().Length == 1 ? new[] { options } : Array.Empty<object?>());
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
    }

    internal static IAlgorithm CreateAlgorithm(RecipeComponent component, int index)
    {
        var where = $"algorithm {index + 1} ({component.Name})";
        if (!AlgorithmTypes.ContainsKey(component.Name))
            throw new InvalidDataException($"The recipe's {where} is unknown; expected one of {string.Join(", ", AlgorithmNames)}.");
        var (type, optionsType) = AlgorithmType(component.Name, where);
        object? options = null;
        if (optionsType is not null)
        {
            try
            {
                options = component.Options.Deserialize(optionsType, OptionsJson);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"The recipe's {where} has invalid options: {e.Message}", e);
            }
        }
        try
        {
            return CreateAlgorithm(type, options);
        }
        catch (Exception e)   // what the algorithm's constructor threw: its options' own message
        {
            throw new InvalidDataException($"The recipe's {where}: {e.Message}", e);
        }
    }

    internal static Func<IEnumerable<Parameter>, optim.Optimizer> OptimizerFactory(RecipeComponent component)
    {
        var name = component.Name;
        var custom = name.ToUpperInvariant() switch
        {
            "DECOUPLEDSGDW" => typeof(Optimizers.DecoupledSGDW),
            "DECOUPLEDADAMW" => typeof(Optimizers.DecoupledAdamW),
            "LAMB" => typeof(Optimizers.Lamb),
            "LARS" => typeof(Optimizers.Lars),
            _ => null,
        };
        MethodBase? method = custom is not null
            ? custom.GetConstructors().FirstOrDefault(c => c.GetParameters().FirstOrDefault()?.ParameterType == typeof(IEnumerable<Parameter>))
            : typeof(optim).GetMethods(BindingFlags.Public | BindingFlags.Static)
                .FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase) && OptimizerNames.Contains(m.Name, StringComparer.Ordinal)
                    && m.GetParameters().FirstOrDefault()?.ParameterType == typeof(IEnumerable<Parameter>));
        if (method is null) throw new InvalidDataException($"The recipe's optimizer '{name}' is unknown; expected one of {string.Join(", ", OptimizerNames)}.");
        var rest = Bind(method.GetParameters().Skip(1).ToArray(), component.Options, $"optimizer {name}");
        return parameters =>
        {
            var arguments = new object?[] { parameters }.Concat(rest).ToArray();
            try
            {
                return (optim.Optimizer)(method is ConstructorInfo c ? c.Invoke(arguments) : method.Invoke(null, arguments)!);
            }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                throw new InvalidDataException($"The recipe's optimizer {name}: {inner.Message}", inner);
            }
        };
    }

    internal static ComposerScheduler CreateScheduler(RecipeComponent component)
    {
        var type = typeof(ComposerScheduler).Assembly.GetExportedTypes()
            .FirstOrDefault(t => typeof(ComposerScheduler).IsAssignableFrom(t) && !t.IsAbstract && string.Equals(t.Name, component.Name + "Scheduler", StringComparison.OrdinalIgnoreCase));
        if (type is null)
        {
            var names = typeof(ComposerScheduler).Assembly.GetExportedTypes().Where(t => typeof(ComposerScheduler).IsAssignableFrom(t) && !t.IsAbstract).Select(t => t.Name[..^"Scheduler".Length]).Order(StringComparer.Ordinal);
            throw new InvalidDataException($"The recipe's schedule '{component.Name}' is unknown; expected one of {string.Join(", ", names)}.");
        }
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var arguments = Bind(constructor.GetParameters(), component.Options, $"schedule {component.Name}");
        try
        {
            return (ComposerScheduler)constructor.Invoke(arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            throw new InvalidDataException($"The recipe's schedule {component.Name}: {inner.Message}", inner);
        }
    }

    // The arguments for parameters, by name (case-insensitive) from the options; defaults where absent.
    private static object?[] Bind(ParameterInfo[] parameters, JsonObject options, string what)
    {
        var unknown = options.Select(kv => kv.Key).Where(k => !parameters.Any(p => string.Equals(p.Name, k, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"The recipe's {what} has no parameter {string.Join(", ", unknown.Select(u => $"'{u}'"))}; expected some of {string.Join(", ", parameters.Select(p => p.Name))}.");
        return parameters.Select(p =>
        {
            var node = options.FirstOrDefault(kv => string.Equals(kv.Key, p.Name, StringComparison.OrdinalIgnoreCase)).Value;
            if (node is null)
                return p.HasDefaultValue ? p.DefaultValue : throw new InvalidDataException($"The recipe's {what} needs '{p.Name}'.");
            try
            {
                return node.Deserialize(p.ParameterType, Json);
            }
            catch (Exception e) when (e is JsonException or FormatException or NotSupportedException)
            {
                throw new InvalidDataException($"The recipe's {what} parameter '{p.Name}' = {node.ToJsonString()} is not a {p.ParameterType.Name}: {e.Message}", e);
            }
        }).ToArray();
    }

    private static ConstructorInfo? OptionsConstructor(Type algorithm) => algorithm.GetConstructors()
        .FirstOrDefault(c => c.GetParameters() is { Length: 1 } p && typeof(IValidatableOptions).IsAssignableFrom(p[0].ParameterType))
        ?? algorithm.GetConstructor(Type.EmptyTypes);

    private sealed class DurationJsonConverter : JsonConverter<Duration>
    {
        public override Duration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && Duration.TryParse(reader.GetString(), out var d)
                ? d
                : throw new JsonException($"A duration is text like \"2ep\", \"300ba\", \"1e5sp\" or \"0.5dur\"; got {(reader.TokenType == JsonTokenType.String ? $"\"{reader.GetString()}\"" : reader.TokenType.ToString())}.");

        public override void Write(Utf8JsonWriter writer, Duration value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
