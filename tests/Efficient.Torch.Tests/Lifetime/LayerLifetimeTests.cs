using Efficient.Torch.Modules;
using static Efficient.Torch.torch.nn;

namespace Efficient.Torch.Tests.Lifetime;

/// <summary>Training steps through the new layers inside dispose scopes leave no native tensors behind.</summary>
[Collection(SequentialCollection.Name)]
public class LayerLifetimeTests
{
    [Fact]
    public void TrainingStepsThroughEveryLayerKindDoNotLeak()
    {
        using var convNet = Sequential(Conv2d(1, 4, 3, padding: 1, padding_mode: PaddingModes.Reflect), BatchNorm2d(4), GELU(), MaxPool2d(2),
            Conv2d(4, 4, 3, Padding.Same, groups: 2), GroupNorm(2, 4), SiLU(), AvgPool2d(2), AdaptiveAvgPool2d(1), Flatten(), Dropout(0.1), Linear(4, 3));
        using var embedding = Embedding(20, 8, padding_idx: 0);
        using var layer = TransformerEncoderLayer(8, 2, 16, dropout: 0.1);
        using var encoder = TransformerEncoder(layer, 2);
        using var head = Linear(8, 20);
        using var loss = new CrossEntropyLoss(label_smoothing: 0.1);
        var parameters = convNet.parameters().Concat(embedding.parameters()).Concat(encoder.parameters()).Concat(head.parameters()).ToArray();

        void Step()
        {
            using var scope = NewDisposeScope();
            var images = randn(4, 1, 8, 8);
            var labels = randint(0, 3, new long[] { 4 });
            var tokens = randint(0, 20, new long[] { 5, 2 });
            var mask = tokens == 0;
            var hidden = encoder.call(embedding.call(tokens), null, mask.t());
            var total = loss.call(convNet.call(images), labels) + loss.call(head.call(hidden).view(-1, 20), tokens.view(-1));
            total.backward();
            using (no_grad())
            {
                foreach (var p in parameters)
                {
                    using var g = p.grad;
                    if (g is not null) p.sub_(g, 0.01);
                }
            }
            foreach (var p in parameters) p.grad = null;
        }

        Step();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Tensor.NativeLiveCount;
        for (var i = 0; i < 20; i++) Step();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Tensor.NativeLiveCount.Should().Be(before);
    }
}
