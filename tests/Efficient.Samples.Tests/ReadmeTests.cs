using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Efficient.Samples.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md compiles as shown: each block is a whole program
/// (top-level statements with its own usings, no implicit usings), compiled with Roslyn against the
/// runtime, TorchSharp and Efficient.Training as built for this test project.
/// </summary>
public sealed class ReadmeTests
{
    private static readonly Regex Block = new(@"^```csharp[ \t]*\r?\n(?<code>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline);

    /// <summary>The README's C# blocks, by the line they start on.</summary>
    public static IEnumerable<object[]> Blocks()
    {
        var text = File.ReadAllText(Path.Combine(SampleProcess.RepositoryRoot(), "README.md"));
        foreach (Match m in Block.Matches(text))
        {
            var line = text.AsSpan(0, m.Index).Count('\n') + 1;
            yield return new object[] { line, m.Groups["code"].Value };
        }
    }

    [Fact]
    public void TheReadmeHasCSharpBlocks() =>
        Blocks().Count().Should().BeGreaterThanOrEqualTo(2, "the README shows a functional form in plain TorchSharp code and the Trainer in C#");

    [Theory]
    [MemberData(nameof(Blocks))]
    public void EachCSharpBlockCompiles(int line, string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path: $"README.md:{line}");
        var compilation = CSharpCompilation.Create(
            $"ReadmeBlock{line}",
            new[] { tree },
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
        problems.Should().BeEmpty($"the C# block at README.md line {line} must compile as shown:\n{code}");
        result.Success.Should().BeTrue();
    }

    private static IEnumerable<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var ours = new[] { "TorchSharp.dll", "Efficient.Training.dll" }.Select(f => Path.Combine(AppContext.BaseDirectory, f));
        return platform.Where(p => !ours.Any(o => Path.GetFileName(o) == Path.GetFileName(p))).Concat(ours).Distinct().Select(p => MetadataReference.CreateFromFile(p));
    }
}
