using Efficient.Training.Algorithms;
using static Efficient.Training.Tests.Algorithms.AlgorithmRuns;

namespace Efficient.Training.Tests.Algorithms.Loss;

public class KnowledgeDistillationTests
{
    private static readonly System.Text.Json.JsonElement Ref = TechniqueReference.Section("distillation");

    [Fact]
    public void LossAndGradientMatchPyTorch()
    {
        foreach (var c in Ref.GetProperty("cases").EnumerateArray())
        {
            using var scope = NewDisposeScope();
            var student = Ref.FloatTensor("student", 6, 5).requires_grad_(true);
            var teacher = Ref.FloatTensor("teacher", 6, 5);
            var target = tensor(Ref.Longs("target"));
            double t = c.Double("temperature"), a = c.Double("alpha");
            KnowledgeDistillation.SoftTargetLoss(student, teacher, t).ToDouble().ShouldBeClose(c.Double("soft"), rtol: 2e-6);
            var loss = KnowledgeDistillation.Loss(student, teacher, target, t, a);
            loss.ToDouble().ShouldBeClose(c.Double("loss"), rtol: 2e-6);
            loss.backward();
            student.grad!.Values().ShouldBeClose(c.Floats("grad"), rtol: 1e-5, atol: 1e-7);
        }
    }

    [Fact]
    public void DefaultsAreTemperatureFourAndAlphaHalf()
    {
        using var scope = NewDisposeScope();
        var student = Ref.FloatTensor("student", 6, 5);
        var teacher = Ref.FloatTensor("teacher", 6, 5);
        var target = tensor(Ref.Longs("target"));
        var first = Ref.GetProperty("cases")[0];
        KnowledgeDistillation.Loss(student, teacher, target).ToDouble().ShouldBeClose(first.Double("loss"), rtol: 2e-6);
        var options = new KnowledgeDistillationOptions();
        options.Temperature.Should().Be(4.0);
        options.Alpha.Should().Be(0.5);
        options.Teacher.Should().BeNull();
    }

    [Fact]
    public void OptionsListEveryFailureWordForWord()
    {
        FluentActions.Invoking(() => new KnowledgeDistillationAlgorithm(new KnowledgeDistillationOptions { Temperature = 0, Alpha = 1.5 }))
            .Should().Throw<OptionsValidationException>()
            .WithMessage("KnowledgeDistillationOptions is invalid: Property Teacher: null is invalid; expected a value (not null). Property Temperature: 0 is invalid; expected a finite value > 0. Property Alpha: 1.5 is invalid; expected a value in [0, 1].");
    }

    [Fact]
    public void MismatchedShapesNameTheTeacherLogits()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => KnowledgeDistillation.SoftTargetLoss(zeros(2, 3), zeros(2, 4)))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("teacherLogits");
    }

    [Fact]
    public void TeacherRunsInEvalModeWithoutGradientsAndChangesTheRun()
    {
        manual_seed(5);
        using var teacher = new ImageMlp();
        teacher.train();
        var plain = Run();
        var algorithm = new KnowledgeDistillationAlgorithm(new KnowledgeDistillationOptions { Teacher = teacher });
        var distilled = Run(algorithm);
        algorithm.TeacherCalls.Should().Be(2);
        teacher.training.Should().BeFalse();
        teacher.parameters().All(p => p.grad is null).Should().BeTrue("the teacher runs under no_grad");
        distilled.Losses[0].Should().NotBe(plain.Losses[0]);
        SameWeights(plain.Weights, distilled.Weights).Should().BeFalse();
        distilled.Trainer.Trace.Entries.Should().Contain(e => e.Algorithm == "KnowledgeDistillation" && e.Stage == "Loss.Loss" && e.Calls == 2);
    }

    [Fact]
    public void HookAddsTheSoftTermToTheInnerLoss()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var teacher = new ImageMlp();
        manual_seed(6);
        using var student = new ImageMlp();
        var input = randn(4, 1, 4, 4);
        var target = tensor(new long[] { 0, 1, 2, 1 });
        var context = Context(student, new Batch(input, target));
        var outputs = student.call(input);
        var algorithm = new KnowledgeDistillationAlgorithm(new KnowledgeDistillationOptions { Teacher = teacher, Temperature = 2, Alpha = 0.3 });
        var loss = algorithm.Loss(context, outputs, target, (o, t) => nn.functional.cross_entropy(o, t));
        Tensor teacherLogits;
        using (no_grad()) teacherLogits = teacher.call(input);
        loss.ToDouble().ShouldBeClose(KnowledgeDistillation.Loss(outputs, teacherLogits, target, 2, 0.3).ToDouble(), rtol: 1e-6);
    }

    /// <summary>Counts the teacher's forward calls and the samples it saw.</summary>
    private sealed class CountingTeacher : nn.Module<Tensor, Tensor>
    {
        private readonly ImageMlp inner;

        public CountingTeacher() : base(nameof(CountingTeacher))
        {
            inner = new ImageMlp();
            RegisterComponents();
        }

        public int Calls { get; private set; }

        public override Tensor forward(Tensor input)
        {
            Calls++;
            return inner.call(input);
        }
    }

    [Fact]
    public void CachedTeacherOutputsSkipTheTeacherAfterTheFirstEpochAndGiveTheSameLosses()
    {
        manual_seed(5);
        using var teacher = new CountingTeacher();
        // 32 samples in batches of 16 (shuffled per epoch), 3 epochs, two microbatches per batch.
        var plain = Run(new[] { new KnowledgeDistillationAlgorithm(new KnowledgeDistillationOptions { Teacher = teacher }) }, microbatches: 2, max: "3ep");
        teacher.Calls.Should().Be(12, "uncached: every microbatch of every epoch runs the teacher");

        var cachedAlgorithm = new KnowledgeDistillationAlgorithm(new KnowledgeDistillationOptions { Teacher = teacher, CacheTeacherOutputs = true });
        var cached = Run(new[] { cachedAlgorithm }, microbatches: 2, max: "3ep");
        (teacher.Calls - 12).Should().Be(4, "cached: only the first epoch's four microbatches run the teacher");
        cachedAlgorithm.TeacherCalls.Should().Be(4);
        cachedAlgorithm.CachedSamples.Should().Be(32);
        cached.Losses.Should().HaveCount(6);
        for (var i = 0; i < 6; i++) cached.Losses[i].ShouldBeClose(plain.Losses[i], rtol: 1e-6);
        foreach (var (name, w) in plain.Weights)
            for (var j = 0; j < w.Length; j++) ((double)cached.Weights[name][j]).ShouldBeClose(w[j], rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void CachingWithoutSampleIndicesIsAClearError()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var teacher = new ImageMlp();
        using var student = new ImageMlp();
        var input = randn(4, 1, 4, 4);
        var target = tensor(new long[] { 0, 1, 2, 1 });
        var context = Context(student, new Batch(input, target)); // no Indices
        var algorithm = new KnowledgeDistillationAlgorithm(new KnowledgeDistillationOptions { Teacher = teacher, CacheTeacherOutputs = true });
        var act = () => algorithm.Loss(context, student.call(input), target, (o, t) => nn.functional.cross_entropy(o, t));
        act.Should().Throw<InvalidOperationException>().WithMessage("*CacheTeacherOutputs needs the samples' indices (Batch.Indices)*");
    }
}
