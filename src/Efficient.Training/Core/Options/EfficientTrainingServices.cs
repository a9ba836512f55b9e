using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Efficient.Training;

/// <summary>
/// Validates one of this library's options types through <c>Microsoft.Extensions.Options</c>: the
/// options type's own <see cref="IValidatableOptions.Validate"/> rules, with the same message (every
/// invalid property at once).
/// </summary>
/// <typeparam name="TOptions">The options type (<see cref="TrainerOptions"/>, a technique's options, ...).</typeparam>
public sealed class ValidatableOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class, IValidatableOptions
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (OptionsValidationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}

/// <summary>
/// Registers the library with a .NET host (<c>Microsoft.Extensions.DependencyInjection</c>):
/// options bound from configuration (appsettings.json, environment variables, the command line),
/// validated on start with the library's own messages, and a <see cref="Trainer"/> built from them.
/// Code without a host keeps using <c>new Trainer(new TrainerOptions { ... })</c>.
/// </summary>
public static class EfficientTrainingServiceCollectionExtensions
{
    /// <summary>The configuration section the options bind from (<c>EfficientTraining:Trainer</c>, <c>EfficientTraining:MixUp</c>, ...).</summary>
    public const string SectionName = "EfficientTraining";

    /// <summary>
    /// Registers, for <see cref="TrainerOptions"/> and every technique's options type of this library:
    /// binding from <paramref name="configuration"/>'s section <c>EfficientTraining:{Name}</c> (the type
    /// name without <c>Options</c>: <c>Trainer</c>, <c>MixUp</c>, <c>LabelSmoothing</c>, ...), validation
    /// through <see cref="ValidatableOptionsValidator{TOptions}"/> whenever <c>IOptions&lt;T&gt;.Value</c> is
    /// read and, for the trainer's options and every options type the configuration sets, when the host
    /// starts (<c>ValidateOnStart</c>), and a transient <see cref="Trainer"/> built from
    /// <c>IOptions&lt;TrainerOptions&gt;</c> (logging to the host's <c>ILoggerFactory</c> unless
    /// <see cref="TrainerOptions.Logger"/> is set). What configuration cannot hold (the model, the optimizer
    /// factory, the data, algorithms, callbacks) is set by <paramref name="configureTrainer"/>, which runs
    /// after binding. A <c>EfficientTraining:Recipe</c> section adds a recipe to the trainer: <c>File</c>
    /// (a <see cref="RecipeFile"/>), or <c>Algorithms</c> (names in hook order, each with its options from
    /// its own section) and <c>ScaleScheduleRatio</c>; a bad value fails the host at start.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration to bind from (the root; null binds nothing).</param>
    /// <param name="configureTrainer">Sets the trainer options configuration cannot hold.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddEfficientTraining(this IServiceCollection services, IConfiguration? configuration = null, Action<TrainerOptions>? configureTrainer = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var register = typeof(EfficientTrainingServiceCollectionExtensions).GetMethod(nameof(Register), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var type in OptionsTypes)
            register.MakeGenericMethod(type).Invoke(null, new object?[] { services, configuration?.GetSection($"{SectionName}:{SectionOf(type)}") });
        if (configuration?.GetSection($"{SectionName}:Recipe") is { } recipe && recipe.Exists())
            services.AddOptions<TrainerOptions>().Configure<IServiceProvider>((options, provider) => ApplyRecipe(options, recipe, provider));
        if (configureTrainer is not null) services.Configure(configureTrainer);
        services.TryAddTransient(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TrainerOptions>>();
            options.Value.Logger ??= provider.GetService<ILoggerFactory>()?.CreateLogger<Trainer>();
            return new Trainer(options);
        });
        return services;
    }

    // EfficientTraining:Recipe — File (a recipe file, RecipeFile), or Algorithms (names, in hook order;
    // each algorithm's options come from its own section) and ScaleScheduleRatio.
    private static void ApplyRecipe(TrainerOptions options, IConfigurationSection recipe, IServiceProvider provider)
    {
        if (recipe["File"] is { Length: > 0 } file) RecipeFile.Load(file).ApplyTo(options);
        foreach (var name in recipe.GetSection("Algorithms").GetChildren().Select(c => c.Value ?? ""))
        {
            var (algorithm, optionsType) = RecipeFile.AlgorithmType(name, $"Configuration section '{recipe.Path}:Algorithms'");
            // IOptions<TOptions>.Value: bound from the algorithm's section and validated (a bad value throws here, at start).
            object? value = null;
            if (optionsType is not null)
            {
                var bound = provider.GetRequiredService(typeof(IOptions<>).MakeGenericType(optionsType));
                try
                {
                    value = bound.GetType().GetProperty("Value")!.GetValue(bound);
                }
                catch (TargetInvocationException e) when (e.InnerException is { } inner)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
                }
            }
            options.Algorithms.Add(RecipeFile.CreateAlgorithm(algorithm, value));
        }
        if (recipe["ScaleScheduleRatio"] is { Length: > 0 } ratio)
            options.ScaleScheduleRatio = double.TryParse(ratio, NumberStyles.Float, CultureInfo.InvariantCulture, out var r)
                ? r
                : throw new InvalidDataException($"Configuration '{recipe.Path}:ScaleScheduleRatio' is '{ratio}'; expected a number in (0, 10].");
    }

    /// <summary>The options types <see cref="AddEfficientTraining"/> registers: every public, creatable <see cref="IValidatableOptions"/> of this library.</summary>
    public static IReadOnlyList<Type> OptionsTypes { get; } = typeof(TrainerOptions).Assembly.GetExportedTypes()
        .Where(t => t.IsClass && !t.IsAbstract && !t.IsGenericTypeDefinition && typeof(IValidatableOptions).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToArray();

    /// <summary>The section name of an options type: its name without the <c>Options</c> suffix.</summary>
    public static string SectionOf(Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        var name = optionsType.Name;
        return name.EndsWith("Options", StringComparison.Ordinal) && name.Length > "Options".Length ? name[..^"Options".Length] : name;
    }

    private static void Register<TOptions>(IServiceCollection services, IConfigurationSection? section)
        where TOptions : class, IValidatableOptions
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, ValidatableOptionsValidator<TOptions>>());
        var builder = services.AddOptions<TOptions>();
        if (section is not null) builder.Bind(section);
        // Validated when the host starts: the trainer's options, and every options type the configuration sets.
        // The others (some need values configuration cannot hold, such as a teacher model) are validated when read.
        if (typeof(TOptions) == typeof(TrainerOptions) || section?.Exists() == true) builder.ValidateOnStart();
    }
}

/// <summary>Converts between <see cref="Duration"/> and its text (<c>"2ep"</c>, <c>"300ba"</c>), so configuration binds durations.</summary>
public sealed class DurationTypeConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? Duration.Parse(text.Trim()) : base.ConvertFrom(context, culture, value);

    /// <inheritdoc />
    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) => destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    /// <inheritdoc />
    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is Duration d ? d.ToString() : base.ConvertTo(context, culture, value, destinationType);
}
