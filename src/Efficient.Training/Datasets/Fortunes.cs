using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Efficient.Training.Datasets;

/// <summary>One quotation of the fortunes corpus and the file (category) it comes from.</summary>
/// <param name="Text">The quotation (whitespace kept as in the file, without the <c>%</c> separators).</param>
/// <param name="Category">The file name, e.g. <c>"computers"</c> or <c>"startrek"</c>.</param>
public sealed record Fortune(string Text, string Category);

/// <summary>
/// The English quotations of Debian's <c>fortunes</c> package (about 15,000 in some 45 files under
/// <c>/usr/share/games/fortunes</c>, each file one category, quotations separated by lines holding
/// only <c>%</c>). A text corpus for masked-language-model pre-training and a classification task
/// (which file a quotation comes from).
/// </summary>
public static class Fortunes
{
    /// <summary>Where Debian installs the files.</summary>
    public const string DefaultFolder = "/usr/share/games/fortunes";

    /// <summary>
    /// Loads every quotation of every category file in <paramref name="folder"/> (files without an
    /// extension; the <c>.dat</c> indexes and <c>.u8</c> links are skipped), in file-name then file
    /// order, dropping empty ones. Offensive files are not shipped by the package and not read.
    /// Throws <see cref="DirectoryNotFoundException"/> with the install command when the folder is missing.
    /// </summary>
    public static IReadOnlyList<Fortune> Load(string? folder = null, IEnumerable<string>? categories = null)
    {
        folder ??= DefaultFolder;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The fortunes corpus folder '{folder}' is missing. Install it with 'sudo apt-get install fortunes' (or pass the folder that holds the fortune files).");
        var wanted = categories?.ToHashSet(StringComparer.Ordinal);
        var files = Directory.GetFiles(folder)
            .Where(f => Path.GetExtension(f).Length == 0 && !Path.GetFileName(f).StartsWith('.'))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
        if (wanted is not null)
        {
            var missing = wanted.Except(files.Select(Path.GetFileName)!).ToList();
            if (missing.Count > 0)
                throw new ArgumentException($"No fortune file for the categories {string.Join(", ", missing)} in '{folder}'; available: {string.Join(", ", files.Select(Path.GetFileName))}.", nameof(categories));
            files = files.Where(f => wanted.Contains(Path.GetFileName(f))).ToList();
        }
        if (files.Count == 0) throw new InvalidDataException($"'{folder}' holds no fortune files; expected the files of Debian's 'fortunes' package.");
        var result = new List<Fortune>();
        foreach (var file in files) result.AddRange(Parse(File.ReadAllText(file, Encoding.UTF8), Path.GetFileName(file)));
        return result;
    }

    /// <summary>Splits the text of one fortune file into its quotations (separated by lines holding only <c>%</c>), trimmed, empty ones dropped.</summary>
    public static IEnumerable<Fortune> Parse(string fileText, string category)
    {
        ArgumentNullException.ThrowIfNull(fileText);
        ArgumentException.ThrowIfNullOrEmpty(category);
        var current = new StringBuilder();
        foreach (var line in fileText.Replace("\r\n", "\n").Split('\n'))
        {
            if (line == "%")
            {
                if (current.ToString().Trim() is { Length: > 0 } text) yield return new Fortune(text, category);
                current.Clear();
            }
            else current.Append(line).Append('\n');
        }
        if (current.ToString().Trim() is { Length: > 0 } last) yield return new Fortune(last, category);
    }
}
