using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Text;

/// <summary>
/// Learns WordPiece merges from word counts. Pair and piece counts are kept incrementally: a merge
/// only revisits the words that contain the merged pair.
/// </summary>
internal sealed class WordPieceTrainer
{
    private readonly List<List<string>> _splits = new();
    private readonly List<long> _counts = new();
    private readonly Dictionary<(string, string), long> _pairCounts = new();
    private readonly Dictionary<string, long> _pieceCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), HashSet<int>> _wordsWithPair = new();
    private readonly List<string> _alphabet;

    private readonly int _minFrequency;
    private readonly WordPieceCriterion _criterion;

    public WordPieceTrainer(IReadOnlyDictionary<string, long> wordCounts, int minFrequency, WordPieceCriterion criterion)
    {
        _minFrequency = minFrequency;
        _criterion = criterion;
        var charCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        var words = wordCounts.OrderBy(w => w.Key, StringComparer.Ordinal).ToList();
        foreach (var (word, count) in words)
            for (var i = 0; i < word.Length; i++)
            {
                var piece = i == 0 ? word[..1] : WordPieceTokenizer.ContinuationPrefix + word[i];
                charCounts[piece] = charCounts.GetValueOrDefault(piece) + count;
            }
        _alphabet = charCounts.Where(c => c.Value >= minFrequency).Select(c => c.Key).OrderBy(c => c, StringComparer.Ordinal).ToList();
        var allowed = _alphabet.ToHashSet(StringComparer.Ordinal);
        foreach (var (word, count) in words)
        {
            var split = word.Select((c, i) => i == 0 ? c.ToString() : WordPieceTokenizer.ContinuationPrefix + c).ToList();
            // Words with a rare character cannot be built from the vocabulary: they do not vote.
            if (split.Any(p => !allowed.Contains(p))) continue;
            _splits.Add(split);
            _counts.Add(count);
            Add(_splits.Count - 1, +1);
        }
    }

    public List<string> Learn(int vocabSize)
    {
        var vocab = WordPieceTokenizer.SpecialTokens.ToList();
        var known = vocab.ToHashSet(StringComparer.Ordinal);
        foreach (var piece in _alphabet)
        {
            if (vocab.Count >= vocabSize) return vocab;
            if (known.Add(piece)) vocab.Add(piece);
        }
        while (vocab.Count < vocabSize && _pairCounts.Count > 0)
        {
            (string a, string b) best = default;
            double bestScore = -1;
            long bestCount = 0;
            foreach (var (pair, count) in _pairCounts)
            {
                // Pairs rarer than the minimum frequency would win on score alone (1/(1·1) = 1): they do not compete.
                if (count < _minFrequency) continue;
                var score = _criterion == WordPieceCriterion.Frequency ? count : count / ((double)_pieceCounts[pair.Item1] * _pieceCounts[pair.Item2]);
                if (score > bestScore || (score == bestScore && (count > bestCount || (count == bestCount && Compare(pair, best) < 0))))
                    (best, bestScore, bestCount) = (pair, score, count);
            }
            if (bestScore < 0) break;
            var merged = best.a + (best.b!.StartsWith(WordPieceTokenizer.ContinuationPrefix, StringComparison.Ordinal) ? best.b[WordPieceTokenizer.ContinuationPrefix.Length..] : best.b);
            if (known.Add(merged)) vocab.Add(merged);
            foreach (var w in _wordsWithPair[best].ToList())
            {
                Add(w, -1);
                var split = _splits[w];
                for (var i = 0; i < split.Count - 1; i++)
                    if (split[i] == best.a && split[i + 1] == best.b)
                    {
                        split[i] = merged;
                        split.RemoveAt(i + 1);
                    }
                Add(w, +1);
            }
        }
        return vocab;
    }

    private static int Compare((string, string) x, (string, string) y)
    {
        var c = string.CompareOrdinal(x.Item1, y.Item1);
        return c != 0 ? c : string.CompareOrdinal(x.Item2, y.Item2);
    }

    // Adds (sign +1) or removes (-1) word w's contribution to the piece and pair counts.
    private void Add(int w, int sign)
    {
        var split = _splits[w];
        var count = _counts[w] * sign;
        for (var i = 0; i < split.Count; i++)
        {
            _pieceCounts[split[i]] = _pieceCounts.GetValueOrDefault(split[i]) + count;
            if (_pieceCounts[split[i]] == 0) _pieceCounts.Remove(split[i]);
            if (i == split.Count - 1) continue;
            var pair = (split[i], split[i + 1]);
            var total = _pairCounts.GetValueOrDefault(pair) + count;
            if (total == 0)
            {
                _pairCounts.Remove(pair);
                _wordsWithPair.Remove(pair);
                continue;
            }
            _pairCounts[pair] = total;
            if (sign > 0)
            {
                if (!_wordsWithPair.TryGetValue(pair, out var set)) _wordsWithPair[pair] = set = new HashSet<int>();
                set.Add(w);
            }
        }
    }
}
