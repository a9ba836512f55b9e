using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Efficient.Training.Text;

/// <summary>
/// A WordPiece tokenizer (Schuster &amp; Nakajima 2012; BERT, Devlin et al. 2019): text is split
/// into words and punctuation (<see cref="PreTokenize"/>), then each word into the longest
/// vocabulary pieces from its start, continuation pieces prefixed with <c>##</c>; a word that
/// cannot be split is <c>[UNK]</c>. The vocabulary is learned from a corpus with
/// <see cref="Train"/> (WordPiece's likelihood criterion) or read from a BERT-style
/// <c>vocab.txt</c>.
/// </summary>
public sealed class WordPieceTokenizer
{
    /// <summary>The special tokens every vocabulary starts with, in id order.</summary>
    public static readonly IReadOnlyList<string> SpecialTokens = new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };

    /// <summary>The prefix of a piece that continues a word.</summary>
    public const string ContinuationPrefix = "##";

    /// <summary>Words longer than this many characters become <c>[UNK]</c> (as in BERT).</summary>
    public const int MaxWordLength = 100;

    private readonly string[] _vocab;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int[]> _wordCache = new();

    /// <summary>Creates a tokenizer from a vocabulary (index = id) that holds the special tokens.</summary>
    /// <exception cref="ArgumentException">The vocabulary is empty, has duplicates or empty entries, or lacks a special token.</exception>
    public WordPieceTokenizer(IReadOnlyList<string> vocab, bool lowercase = true)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        if (vocab.Count == 0) throw new ArgumentException("The vocabulary is empty; expected the special tokens and word pieces.", nameof(vocab));
        _vocab = vocab.ToArray();
        _ids = new Dictionary<string, int>(_vocab.Length, StringComparer.Ordinal);
        for (var i = 0; i < _vocab.Length; i++)
        {
            if (string.IsNullOrEmpty(_vocab[i]) || _vocab[i].Any(char.IsWhiteSpace))
                throw new ArgumentException($"Vocabulary entry {i} ('{_vocab[i]}') is empty or holds whitespace; expected one piece per entry.", nameof(vocab));
            if (!_ids.TryAdd(_vocab[i], i))
                throw new ArgumentException($"Vocabulary entry {i} ('{_vocab[i]}') duplicates entry {_ids[_vocab[i]]}; expected distinct pieces.", nameof(vocab));
        }
        var missing = SpecialTokens.Where(t => !_ids.ContainsKey(t)).ToList();
        if (missing.Count > 0) throw new ArgumentException($"The vocabulary lacks the special tokens {string.Join(", ", missing)}.", nameof(vocab));
        Lowercase = lowercase;
    }

    /// <summary>Whether text is lower-cased (and accents stripped) before splitting.</summary>
    public bool Lowercase { get; }

    /// <summary>The vocabulary, by id.</summary>
    public IReadOnlyList<string> Vocab => _vocab;

    /// <summary>The number of pieces.</summary>
    public int VocabSize => _vocab.Length;

    /// <summary>Id of <c>[PAD]</c>.</summary>
    public int PadId => _ids["[PAD]"];

    /// <summary>Id of <c>[UNK]</c>.</summary>
    public int UnkId => _ids["[UNK]"];

    /// <summary>Id of <c>[CLS]</c>.</summary>
    public int ClsId => _ids["[CLS]"];

    /// <summary>Id of <c>[SEP]</c>.</summary>
    public int SepId => _ids["[SEP]"];

    /// <summary>Id of <c>[MASK]</c>.</summary>
    public int MaskId => _ids["[MASK]"];

    /// <summary>The id of <paramref name="piece"/>, or null when it is not in the vocabulary.</summary>
    public int? IdOf(string piece) => _ids.TryGetValue(piece, out var id) ? id : null;

    /// <summary>
    /// BERT's basic tokenization: control characters dropped, optionally lower-cased with accents
    /// stripped, split on whitespace, and every punctuation or symbol character a word of its own.
    /// </summary>
    public static IReadOnlyList<string> PreTokenize(string text, bool lowercase = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (lowercase) text = StripAccents(text.ToLowerInvariant());
        var words = new List<string>();
        var current = new StringBuilder();
        void Flush()
        {
            if (current.Length > 0) words.Add(current.ToString());
            current.Clear();
        }
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c)) Flush();
            else if (char.IsControl(c) || c == '\uFFFD') continue;
            else if (char.IsPunctuation(c) || char.IsSymbol(c))
            {
                Flush();
                words.Add(c.ToString());
            }
            else current.Append(c);
        }
        Flush();
        return words;
    }

    private static string StripAccents(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) sb.Append(c);
        return sb.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>The pieces of <paramref name="text"/> (no special tokens added).</summary>
    public IReadOnlyList<string> Tokenize(string text) => PreTokenize(text, Lowercase).SelectMany(w => EncodeWord(w)).Select(id => _vocab[id]).ToList();

    /// <summary>
    /// The ids of <paramref name="text"/>: <c>[CLS] pieces [SEP]</c> with <paramref name="addSpecialTokens"/>,
    /// truncated to <paramref name="maxLength"/> ids (the final <c>[SEP]</c> kept) when given.
    /// </summary>
    public int[] Encode(string text, bool addSpecialTokens = true, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (maxLength is { } m && m < (addSpecialTokens ? 2 : 1))
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"maxLength must be at least {(addSpecialTokens ? 2 : 1)} (room for the special tokens).");
        var ids = new List<int>();
        if (addSpecialTokens) ids.Add(ClsId);
        foreach (var word in PreTokenize(text, Lowercase)) ids.AddRange(EncodeWord(word));
        if (maxLength is { } max && ids.Count > max - (addSpecialTokens ? 1 : 0)) ids.RemoveRange(max - (addSpecialTokens ? 1 : 0), ids.Count - (max - (addSpecialTokens ? 1 : 0)));
        if (addSpecialTokens) ids.Add(SepId);
        return ids.ToArray();
    }

    /// <summary>Text from ids: special tokens dropped, continuation pieces joined to their word, words separated by spaces.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sb = new StringBuilder();
        foreach (var id in ids)
        {
            if (id < 0 || id >= _vocab.Length) throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary [0, {_vocab.Length}).");
            var piece = _vocab[id];
            if (SpecialTokens.Contains(piece) && piece != "[UNK]") continue;
            if (piece.StartsWith(ContinuationPrefix, StringComparison.Ordinal) && piece.Length > ContinuationPrefix.Length) sb.Append(piece, ContinuationPrefix.Length, piece.Length - ContinuationPrefix.Length);
            else
            {
                if (sb.Length > 0) sb.Append(' ');
                sb.Append(piece);
            }
        }
        return sb.ToString();
    }

    // Greedy longest-match-first, as BERT's WordpieceTokenizer.
    private int[] EncodeWord(string word)
    {
        if (_wordCache.TryGetValue(word, out var cached)) return cached;
        int[] result;
        if (word.Length > MaxWordLength) result = new[] { UnkId };
        else
        {
            var pieces = new List<int>();
            var start = 0;
            while (start < word.Length)
            {
                int? found = null;
                var end = word.Length;
                for (; end > start; end--)
                {
                    var piece = start == 0 ? word[start..end] : ContinuationPrefix + word[start..end];
                    if (_ids.TryGetValue(piece, out var id))
                    {
                        found = id;
                        break;
                    }
                }
                if (found is null)
                {
                    pieces = new List<int> { UnkId };
                    break;
                }
                pieces.Add(found.Value);
                start = end;
            }
            result = pieces.ToArray();
        }
        if (_wordCache.Count < 1_000_000) _wordCache[word] = result;
        return result;
    }

    /// <summary>Writes the vocabulary as a BERT <c>vocab.txt</c> (one piece per line, line number = id), atomically.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        File.WriteAllLines(temp, _vocab, new UTF8Encoding(false));
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>Reads a BERT <c>vocab.txt</c>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid vocabulary (the message says which line and why).</exception>
    public static WordPieceTokenizer Load(string path, bool lowercase = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The vocabulary file '{path}' does not exist.", path);
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        if (lines.Length > 0 && lines[^1].Length == 0) lines = lines[..^1];
        try
        {
            return new WordPieceTokenizer(lines, lowercase);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid WordPiece vocabulary: {e.Message.Split(" (Parameter")[0]}", e);
        }
    }

    /// <summary>
    /// Learns a vocabulary of at most <paramref name="vocabSize"/> pieces from <paramref name="texts"/>:
    /// start from the characters (word-initial ones plain, the others <c>##</c>-prefixed, only those
    /// seen at least <paramref name="minFrequency"/> times), then repeatedly merge the best adjacent
    /// pair seen at least <paramref name="minFrequency"/> times until the size is reached or no pair
    /// qualifies. <see cref="WordPieceCriterion.Frequency"/> (default) merges the most frequent pair, as
    /// Hugging Face's WordPiece trainer does; <see cref="WordPieceCriterion.Likelihood"/> uses the
    /// original score <c>count(ab) / (count(a) · count(b))</c>. Ties go to the more frequent pair, then to
    /// ordinal order, so training is deterministic.
    /// </summary>
    public static WordPieceTokenizer Train(IEnumerable<string> texts, int vocabSize, int minFrequency = 2, bool lowercase = true,
        WordPieceCriterion criterion = WordPieceCriterion.Frequency)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (vocabSize <= SpecialTokens.Count) throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, $"vocabSize must exceed the {SpecialTokens.Count} special tokens.");
        if (minFrequency < 1) throw new ArgumentOutOfRangeException(nameof(minFrequency), minFrequency, "minFrequency must be at least 1.");
        if (!Enum.IsDefined(criterion)) throw new ArgumentOutOfRangeException(nameof(criterion), criterion, "Unknown WordPiece criterion.");
        var wordCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var word in PreTokenize(text ?? throw new ArgumentException("texts holds a null text.", nameof(texts)), lowercase))
                if (word.Length <= MaxWordLength) wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
        return new WordPieceTokenizer(new WordPieceTrainer(wordCounts, minFrequency, criterion).Learn(vocabSize), lowercase);
    }
}

/// <summary>How <see cref="WordPieceTokenizer.Train"/> picks the pair to merge.</summary>
public enum WordPieceCriterion
{
    /// <summary>The most frequent pair (Hugging Face's trainer; compresses text best).</summary>
    Frequency,
    /// <summary>The pair with the highest <c>count(ab) / (count(a) · count(b))</c> (Schuster &amp; Nakajima's likelihood criterion).</summary>
    Likelihood,
}
