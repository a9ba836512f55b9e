using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Xml.Linq;
using Efficient.Training.Evaluation;
using Efficient.Training.Plotting;
using Efficient.Training.Tests.Core;

namespace Efficient.Training.Tests.Evaluation;

public sealed class StudyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "study-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static StudyRun Fabricated(string recipe, string budget, long seed, double wall, params (double t, double acc)[] curve) =>
        new(new StudyRunSpec(recipe, Duration.Parse(budget), seed),
            curve.Select((p, i) => new CurvePoint(p.t, i + 1, new Dictionary<string, double> { ["accuracy"] = p.acc })).ToList(),
            wall, curve.Length, new Footprint(10, 100, null));

    private static StudyOptions Fabric(params string[] recipes) => new() { Recipes = recipes.ToList(), Seeds = new List<long> { 0, 1 }, CreateRun = _ => new TrainerOptions() };

    [Fact]
    public void SpreadIsTheMeanAndSampleStandardDeviation()
    {
        var s = Spread.Of(new[] { 1.0, 2.0, 4.0 });
        s.Mean.Should().BeApproximately(7.0 / 3, 1e-12);
        s.Std.Should().BeApproximately(Math.Sqrt(((1 - 7.0 / 3) * (1 - 7.0 / 3) + (2 - 7.0 / 3) * (2 - 7.0 / 3) + (4 - 7.0 / 3) * (4 - 7.0 / 3)) / 2), 1e-12);
        Spread.Of(new[] { 5.0 }).Std.Should().Be(0);
        Spread.Of(Array.Empty<double>()).Count.Should().Be(0);
        Spread.Of(new[] { 1.0, 3.0 }).Format("0.0").Should().Be("2.0 ± 1.4");
    }

    [Fact]
    public void TargetTimeToTargetSpeedUpFrontierAndBaselineCurveFollowTheDefinitions()
    {
        var runs = new List<StudyRun>
        {
            // Baseline at two budgets: 1ep reaches 0.70 at 10 s, 2ep reaches 0.80/0.82 at 20/22 s.
            Fabricated("baseline", "1ep", 0, 10, (10, 0.70)),
            Fabricated("baseline", "1ep", 1, 10, (10, 0.72)),
            Fabricated("baseline", "2ep", 0, 20, (10, 0.70), (20, 0.80)),
            Fabricated("baseline", "2ep", 1, 22, (11, 0.71), (22, 0.82)),
            // A recipe reaching the target (0.81) at 8 and 12 s, ending at 0.83 in 12 and 14 s.
            Fabricated("fast", "1ep", 0, 12, (8, 0.81), (12, 0.83)),
            Fabricated("fast", "1ep", 1, 14, (7, 0.80), (12, 0.81), (14, 0.83)),
            // A recipe that never reaches it and lies under the baseline's curve.
            Fabricated("slow", "1ep", 0, 15, (15, 0.60)),
            Fabricated("slow", "1ep", 1, 15, (15, 0.62)),
            // A recipe between the baseline's budgets: 0.76 at 12 s, where the baseline's curve needs 15.5 s.
            Fabricated("mid", "1ep", 0, 11, (11, 0.75)),
            Fabricated("mid", "1ep", 1, 13, (13, 0.77)),
        };
        var result = new StudyResult(Fabric("baseline", "fast", "slow", "mid"), runs);

        result.Target.Should().BeApproximately(0.81, 1e-12, "the baseline's mean final accuracy at its longest budget");
        var baseline2 = result.Summaries.Single(s => s.Recipe == "baseline" && s.Budget.ToString() == "2ep");
        baseline2.TimeToTarget.Mean.Should().Be(22, "only the second seed reached 0.81, at 22 s");
        baseline2.Reached.Should().Be(1);
        var fast = result.Summaries.Single(s => s.Recipe == "fast");
        fast.TimeToTarget.Mean.Should().Be(10, "(8 + 12) / 2");
        fast.SpeedUp.Should().BeApproximately(21.0 / 13, 1e-12, "the baseline's 2ep budget (mean 21 s) reaches the target; fast's mean 0.83 does in a mean 13 s");
        fast.EqualQualitySpeedUp.Should().BeNull("0.83 is beyond the baseline's curve");
        baseline2.SpeedUp.Should().BeApproximately(1, 1e-12);
        result.Summaries.Single(s => s.Recipe == "baseline" && s.Budget.ToString() == "1ep").SpeedUp.Should().BeNull("its mean 0.71 is under the target");
        var mid = result.Summaries.Single(s => s.Recipe == "mid");
        mid.SpeedUp.Should().BeNull("its mean 0.76 is under the target");
        mid.EqualQualitySpeedUp.Should().BeApproximately((10 + 11 * 0.5) / 12, 1e-9, "the baseline's curve passes 0.76 half-way between (10 s, 0.71) and (21 s, 0.81)");
        baseline2.EqualQualitySpeedUp.Should().BeApproximately(1, 1e-9, "a baseline point lies on its own curve");
        fast.AboveBaselineCurve.Should().BeTrue();
        fast.OnParetoFrontier.Should().BeTrue();
        var slow = result.Summaries.Single(s => s.Recipe == "slow");
        slow.SpeedUp.Should().BeNull();
        slow.EqualQualitySpeedUp.Should().BeNull("0.61 is below the baseline's first point");
        slow.Reached.Should().Be(0);
        slow.AboveBaselineCurve.Should().BeFalse("at 15 s the baseline's curve is at 0.71 + (0.81 - 0.71) * 5 / 11");
        slow.OnParetoFrontier.Should().BeFalse();
        result.Summaries.Single(s => s.Recipe == "baseline" && s.Budget.ToString() == "1ep").OnParetoFrontier.Should().BeTrue("nothing is faster than 10 s");
        baseline2.OnParetoFrontier.Should().BeFalse("fast is faster and better");
        baseline2.AboveBaselineCurve.Should().BeTrue("the baseline's points lie on its own curve");

        var csv = result.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        csv[0].Should().Be("recipe,budget,seed,accuracy,wall_seconds,time_to_target_seconds,parameters,model_bytes,latency_ms_per_sample");
        csv.Should().HaveCount(11);
        csv[5].Should().Be("fast,1ep,0,0.83,12,8,10,100,");
        var md = result.ToMarkdown();
        md.Should().Contain("| fast | 1ep | 0.8300 ± 0.0000 | 13.0 ± 1.4 | 10.0 ± 2.8 | 2/2 | 1.62× | — | yes | ★ |");
        md.Should().Contain("| slow | 1ep | 0.6100 ± 0.0141 | 15.0 ± 0.0 | — | 0/2 | — | — | no |  |");
        md.Should().Contain("| mid | 1ep | 0.7600 ± 0.0141 | 12.0 ± 1.4 | — | 0/2 | — | 1.29× | yes | ★ |");
    }

    [Fact]
    public void RunsARealStudyAndWritesEveryFile()
    {
        var (x, y) = TestModels.Data(64);
        var (ex, ey) = TestModels.Data(32, seed: 1);
        var log = new StringWriter();
        var options = new StudyOptions
        {
            Recipes = new List<string> { "baseline", "smoothed" },
            Seeds = new List<long> { 0, 1 },
            Budgets = new Dictionary<string, IList<Duration>> { ["baseline"] = new List<Duration> { Duration.Batches(2), Duration.Batches(4) } },
            DefaultBudget = Duration.Batches(4),
            FootprintInput = () => randn(4, 8),
            Log = log,
            CreateRun = spec => new TrainerOptions
            {
                Model = new TestModels.Mlp(),
                TrainData = new TensorTrainingData(x, y, batchSize: 16, seed: spec.Seed),
                EvalData = new TensorTrainingData(ex, ey, batchSize: 32, shuffle: false),
                EvalInterval = Duration.Batches(1),
                Optimizer = p => optim.SGD(p, 0.5),
                MaxDuration = spec.Budget,
                Seed = spec.Seed,
                Algorithms = spec.Recipe == "smoothed" ? new List<IAlgorithm> { new Efficient.Training.Algorithms.LabelSmoothingAlgorithm(new Efficient.Training.Algorithms.LabelSmoothingOptions { Smoothing = 0.1 }) } : new List<IAlgorithm>(),
            },
        };
        var result = Study.Run(options);

        result.Runs.Select(r => (r.Spec.Recipe, r.Spec.Budget.ToString(), r.Spec.Seed)).Should().Equal(
            ("baseline", "2ba", 0L), ("baseline", "2ba", 1L), ("baseline", "4ba", 0L), ("baseline", "4ba", 1L), ("smoothed", "4ba", 0L), ("smoothed", "4ba", 1L));
        foreach (var run in result.Runs)
        {
            run.Curve.Select(p => p.Batch).Should().Equal(Enumerable.Range(1, (int)run.Spec.Budget.Value).Select(b => (long)b), "one evaluation per batch");
            run.Curve.Select(p => p.WallSeconds).Should().BeInAscendingOrder();
            run.WallSeconds.Should().BeGreaterOrEqualTo(run.Curve[^1].WallSeconds);
            run.Footprint.Parameters.Should().Be(8 * 16 + 16 + 16 * 3 + 3);
            run.Footprint.ModelBytes.Should().BeGreaterThan(run.Footprint.Parameters * 4);
            run.Footprint.LatencyMsPerSample.Should().BeGreaterThan(0);
        }
        var longest = result.Runs.Where(r => r.Spec.Recipe == "baseline" && r.Spec.Budget.Value == 4).ToList();
        result.Target.Should().BeApproximately(longest.Average(r => r.Final("accuracy")), 1e-12);
        log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(6).And.Contain(l => l.StartsWith("study: smoothed 4ba seed 1: accuracy "));

        var files = result.Write(_dir);
        files.Select(Path.GetFileName).Should().Equal("study.csv", "study.json", "study.md");
        var plots = StudyPlots.Write(result, _dir, bars: true);
        plots.Select(Path.GetFileName).Should().Equal("study.png", "study.svg", "study-bars.png", "study-bars.svg");
        Directory.GetFiles(_dir).Should().HaveCount(7, "no temporary file is left behind");
        foreach (var png in plots.Where(p => p.EndsWith(".png", StringComparison.Ordinal)))
            File.ReadAllBytes(png).Take(8).Should().Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "a PNG file starts with its signature");
        var svg = XDocument.Load(Path.Combine(_dir, "study.svg"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        svg.Root!.Name.Should().Be(ns + "svg");
        var text = string.Join(" ", svg.Descendants(ns + "text").Select(t => t.Value));
        text.Should().Contain("accuracy vs training wall-clock time").And.Contain("Pareto frontier").And.Contain("smoothed").And.Contain("target ");
        var bars = string.Join(" ", XDocument.Load(Path.Combine(_dir, "study-bars.svg")).Descendants(ns + "text").Select(t => t.Value));
        bars.Should().Contain("final accuracy per recipe").And.Contain("baseline 4ba");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "study.json")));
        json.RootElement.GetProperty("runs").GetArrayLength().Should().Be(6);
        json.RootElement.GetProperty("summaries").GetArrayLength().Should().Be(3);
        json.RootElement.GetProperty("target").GetDouble().Should().BeApproximately(result.Target, 1e-12);
    }

    [Fact]
    public void EvaluatesTheFinalModelWhenTheLastEvaluationCameEarlier()
    {
        var (x, y) = TestModels.Data(64);
        var result = Study.Run(new StudyOptions
        {
            Recipes = new List<string> { "baseline" },
            Seeds = new List<long> { 0 },
            DefaultBudget = Duration.Batches(4),
            CreateRun = spec => new TrainerOptions
            {
                Model = new TestModels.Mlp(),
                TrainData = new TensorTrainingData(x, y, batchSize: 16, seed: spec.Seed),
                EvalData = new TensorTrainingData(x, y, batchSize: 64, shuffle: false),
                EvalInterval = Duration.Batches(3),
                Optimizer = p => optim.SGD(p, 0.5),
                MaxDuration = spec.Budget,
            },
        });
        result.Runs.Single().Curve.Select(p => p.Batch).Should().Equal(3L, 4L);
        result.Runs.Single().Batches.Should().Be(4);
    }

    [Fact]
    public void RejectsBadOptionsListingEveryProblem()
    {
        var act = () => Study.Run(new StudyOptions { Recipes = new List<string> { "a", "a" }, Baseline = "b", Seeds = new List<long>(), Metric = "" });
        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().HaveCount(5).And.Contain(f => f.Contains("Property Baseline: 'b' is invalid; expected one of the recipes (a, a)"))
            .And.Contain(f => f.Contains("Property CreateRun"));
    }

    [Fact]
    public void RejectsARunWithoutEvaluationData()
    {
        var (x, y) = TestModels.Data(16);
        var act = () => Study.Run(new StudyOptions
        {
            Recipes = new List<string> { "baseline" },
            Seeds = new List<long> { 0 },
            CreateRun = spec => new TrainerOptions { Model = new TestModels.Mlp(), TrainData = new TensorTrainingData(x, y, 8), Optimizer = p => optim.SGD(p, 0.1), MaxDuration = spec.Budget },
        });
        act.Should().Throw<InvalidOperationException>().WithMessage("The run baseline 1ep seed 0 has no EvalData*");
    }

    [Fact]
    public void FootprintRejectsBadArguments()
    {
        using var model = new TestModels.Mlp();
        ((Action)(() => Footprint.Measure(model, repeats: 0))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("Footprint: repeats must be at least 1.*");
        ((Action)(() => Footprint.Measure(model, tensor(1.0f)))).Should().Throw<ArgumentException>().WithMessage("Footprint: the input must be a batch*");
    }
}
