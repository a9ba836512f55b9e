using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Efficient.Training.Datasets;
using Efficient.Training.Text;

namespace Efficient.Training.Tests.Text;

public sealed class WordPieceTokenizerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "wordpiece-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static WordPieceTokenizer Hand() => new(WordPieceTokenizer.SpecialTokens.Concat(new[] { "un", "##aff", "##able", "aff", "##a", "runn", "##ing", ",", "!", "a" }).ToList());

    [Fact]
    public void PreTokenizesLikeBertsBasicTokenizer()
    {
        WordPieceTokenizer.PreTokenize("Hello, World!  Café—naïve\tx\u0008y 42%").Should().Equal("hello", ",", "world", "!", "cafe", "—", "naive", "xy", "42", "%");
        WordPieceTokenizer.PreTokenize("Hello World", lowercase: false).Should().Equal("Hello", "World");
    }

    [Fact]
    public void SplitsWordsIntoTheLongestPiecesFromTheStart()
    {
        var t = Hand();
        t.Tokenize("Unaffable running!").Should().Equal("un", "##aff", "##able", "runn", "##ing", "!");
        t.Tokenize("unxyz a").Should().Equal(new[] { "[UNK]", "a" }, "a word that cannot be split entirely is one [UNK]");
        t.Encode("unaffable, a").Should().Equal(2, 5, 6, 7, 12, 14, 3);
        t.Encode("unaffable, a", maxLength: 4).Should().Equal(new[] { 2, 5, 6, 3 }, "truncation keeps the final [SEP]");
        t.Encode("a", addSpecialTokens: false).Should().Equal(14);
        t.Decode(t.Encode("Unaffable running!")).Should().Be("unaffable running !");
        (t.PadId, t.UnkId, t.ClsId, t.SepId, t.MaskId).Should().Be((0, 1, 2, 3, 4));
    }

    [Fact]
    public void TrainsWithTheWordPieceScore()
    {
        // Words: ab ×3, ac ×1. Pieces a=4, ##b=3, ##c=1; scores ab = 3/(4·3) = ac = 1/(4·1) = 0.25:
        // the tie goes to the more frequent pair (ab); then only (a, ##c) is left.
        var t = WordPieceTokenizer.Train(new[] { "ab ab", "ab ac" }, vocabSize: 10, minFrequency: 1, criterion: WordPieceCriterion.Likelihood);
        t.Vocab.Skip(5).Should().Equal("##b", "##c", "a", "ab", "ac");
        // With minFrequency 2, ##c is too rare: "ac" neither enters the alphabet nor votes.
        WordPieceTokenizer.Train(new[] { "ab ab", "ab ac" }, vocabSize: 10, minFrequency: 2, criterion: WordPieceCriterion.Likelihood).Vocab.Skip(5).Should().Equal("##b", "a", "ab");
        // The score prefers pairs whose parts are rare: (x, ##y) ×2 scores 2/(2·2) = 0.5, above
        // (a, ##b) ×3 at 3/(3·3) and (b, ##a) ×4 at 4/(4·4), although those are more frequent.
        var u = WordPieceTokenizer.Train(new[] { "xy xy ab ab ab ba ba ba ba" }, vocabSize: 5 + 6 + 1, minFrequency: 1, criterion: WordPieceCriterion.Likelihood);
        u.Vocab[^1].Should().Be("xy");
        // By frequency, (b, ##a) ×4 wins.
        WordPieceTokenizer.Train(new[] { "xy xy ab ab ab ba ba ba ba" }, vocabSize: 5 + 6 + 1, minFrequency: 1).Vocab[^1].Should().Be("ba");
    }

    [Fact]
    public void ALearnedVocabularyRoundTripsTheFortunesCorpus()
    {
        var texts = Fortunes.Load(categories: new[] { "computers" }).Select(f => f.Text).ToList();
        var t = WordPieceTokenizer.Train(texts, vocabSize: 2000, minFrequency: 3);
        t.VocabSize.Should().Be(2000);
        var known = texts.Where(x => !t.Encode(x).Contains(t.UnkId)).ToList();
        known.Count.Should().BeGreaterThan(texts.Count * 9 / 10, "only words with characters rarer than 3 occurrences are unknown");
        foreach (var text in known.Take(300))
            t.Decode(t.Encode(text)).Should().Be(string.Join(" ", WordPieceTokenizer.PreTokenize(text)));
        var words = texts.SelectMany(x => WordPieceTokenizer.PreTokenize(x)).ToList();
        var pieces = texts.Sum(x => t.Tokenize(x).Count);
        ((double)pieces / words.Sum(w => w.Length)).Should().BeLessThan(0.4, "merged pieces cover several characters");

        var path = Path.Combine(_dir, "vocab.txt");
        t.Save(path);
        Directory.GetFiles(_dir).Should().Equal(new[] { path }, "no temporary file is left");
        var loaded = WordPieceTokenizer.Load(path);
        loaded.Vocab.Should().Equal(t.Vocab);
        loaded.Encode(texts[3]).Should().Equal(t.Encode(texts[3]));
    }

    [Fact]
    public void RejectsBadVocabulariesAndArguments()
    {
        Directory.CreateDirectory(_dir);
        var missing = Path.Combine(_dir, "missing.txt");
        File.WriteAllLines(missing, new[] { "[PAD]", "[UNK]", "a" });
        ((Action)(() => WordPieceTokenizer.Load(missing))).Should().Throw<InvalidDataException>().WithMessage($"'{missing}' is not a valid WordPiece vocabulary: The vocabulary lacks the special tokens [CLS], [SEP], [MASK].");
        var duplicate = Path.Combine(_dir, "duplicate.txt");
        File.WriteAllLines(duplicate, WordPieceTokenizer.SpecialTokens.Concat(new[] { "a", "b", "a" }));
        ((Action)(() => WordPieceTokenizer.Load(duplicate))).Should().Throw<InvalidDataException>().WithMessage("*Vocabulary entry 7 ('a') duplicates entry 5; expected distinct pieces.");
        ((Action)(() => WordPieceTokenizer.Load(Path.Combine(_dir, "none.txt")))).Should().Throw<FileNotFoundException>().WithMessage("The vocabulary file '*none.txt' does not exist.");
        ((Action)(() => WordPieceTokenizer.Train(new[] { "a" }, vocabSize: 5))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("vocabSize must exceed the 5 special tokens.*");
        ((Action)(() => Hand().Encode("a", maxLength: 1))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("maxLength must be at least 2*");
        ((Action)(() => Hand().Decode(new[] { 99 }))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("Token id 99 is outside the vocabulary [0, 15).*");
    }
}

public sealed class FortunesTests
{
    [Fact]
    public void LoadsTheDebianCorpusByCategory()
    {
        var all = Fortunes.Load();
        all.Count.Should().BeGreaterThan(5000);
        all.Select(f => f.Category).Distinct().Should().Contain(new[] { "computers", "science", "startrek" }).And.NotContain(c => c.EndsWith(".dat") || c.EndsWith(".u8"));
        all.Should().OnlyContain(f => f.Text.Length > 0 && !f.Text.Contains("\n%\n"));
        Fortunes.Load(categories: new[] { "science" }).Should().OnlyContain(f => f.Category == "science");
    }

    [Fact]
    public void ParsesQuotationsSeparatedByPercentLines()
    {
        Fortunes.Parse("First one.\n  -- Someone\n%\n\n%\nSecond\r\n%\nThird", "x").Select(f => f.Text).Should().Equal("First one.\n  -- Someone", "Second", "Third");
    }

    [Fact]
    public void SaysHowToInstallTheCorpusWhenItIsMissing()
    {
        ((Action)(() => Fortunes.Load("/nonexistent/fortunes"))).Should().Throw<DirectoryNotFoundException>()
            .WithMessage("The fortunes corpus folder '/nonexistent/fortunes' is missing. Install it with 'sudo apt-get install fortunes'*");
        ((Action)(() => Fortunes.Load(categories: new[] { "nope" }))).Should().Throw<ArgumentException>().WithMessage("No fortune file for the categories nope in '/usr/share/games/fortunes'; available: *");
    }
}

public sealed class MaskedLanguageModelingTests
{
    [Fact]
    public void MatchesHuggingFacesCollatorDrawForDraw()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "text.json")));
        foreach (var c in doc.RootElement.GetProperty("mlm").EnumerateArray())
        {
            var shape = c.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long[] Longs(string name) => c.GetProperty(name).EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var ids = tensor(Longs("ids"), shape);
            var special = tensor(c.GetProperty("special").EnumerateArray().Select(e => e.GetBoolean()).ToArray(), shape);
            using var g = new Generator((ulong)c.GetProperty("seed").GetInt64());
            var (inputs, labels) = MaskedLanguageModeling.Mask(ids, c.GetProperty("mask_id").GetInt64(), c.GetProperty("vocab").GetInt64(), c.GetProperty("p").GetDouble(), special, g);
            inputs.data<long>().ToArray().Should().Equal(Longs("inputs"));
            labels.data<long>().ToArray().Should().Equal(Longs("labels"));
            ids.data<long>().ToArray().Should().Equal(Longs("ids"), "the input is not changed");
        }
    }

    [Fact]
    public void MasksAboutTheRequestedShareAndNeverSpecialTokens()
    {
        using var g = new Generator(3);
        var ids = randint(5, 1000, new long[] { 64, 128 }, generator: g);
        var special = zeros(new long[] { 64, 128 }, ScalarType.Bool);
        special[TensorIndex.Colon, 0] = tensor(true);
        var (inputs, labels) = MaskedLanguageModeling.Mask(ids, 4, 1000, 0.15, special, g);
        var selected = labels.ne(MaskedLanguageModeling.IgnoreIndex);
        selected.to_type(ScalarType.Float32).mean().item<float>().Should().BeApproximately(0.15f, 0.01f);
        selected[TensorIndex.Colon, 0].any().item<bool>().Should().BeFalse();
        var masked = inputs.eq(4).logical_and(selected).to_type(ScalarType.Float32).sum().item<float>() / selected.to_type(ScalarType.Float32).sum().item<float>();
        masked.Should().BeApproximately(0.8f, 0.02f);
        inputs.ne(ids).logical_and(selected.logical_not()).any().item<bool>().Should().BeFalse("unselected tokens are unchanged");
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var ids = zeros(new long[] { 2, 3 }, ScalarType.Int64);
        ((Action)(() => MaskedLanguageModeling.Mask(ids.to_type(ScalarType.Int32), 4, 10))).Should().Throw<ArgumentException>().WithMessage("The token ids must be int64, got Int32.*");
        ((Action)(() => MaskedLanguageModeling.Mask(ids, 10, 10))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("The [MASK] id must be in [0, 10).*");
        ((Action)(() => MaskedLanguageModeling.Mask(ids, 4, 10, 1.5))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("The mask probability must be in [0, 1].*");
        ((Action)(() => MaskedLanguageModeling.Mask(ids, 4, 10, 0.15, zeros(new long[] { 2 }, ScalarType.Bool)))).Should().Throw<ArgumentException>().WithMessage("The special-tokens mask has shape [2]; expected the ids' shape [2, 3].*");
    }
}
