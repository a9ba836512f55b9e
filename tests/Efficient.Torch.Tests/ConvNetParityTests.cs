using System.Collections.Generic;
using static Efficient.Torch.torch.nn.functional;

namespace Efficient.Torch.Tests;

/// <summary>
/// A small conv net written only with TorchSharp API names (conv2d, batch_norm, relu,
/// adaptive_avg_pool2d, linear, cross_entropy with label smoothing, backward and a hand-written
/// SGD-momentum step under no_grad) must reproduce PyTorch's losses and gradients.
/// Expected values: Reference/generate_convnet.py.
/// </summary>
public class ConvNetParityTests
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void ThreeTrainingStepsMatchPyTorch()
    {
        var reference = ReferenceFile.Load("convnet.json");
        set_num_threads(1);
        using var scope = NewDisposeScope();

        var names = new[] { "conv1.weight", "conv1.bias", "bn.weight", "bn.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias" };
        var p = new Dictionary<string, Tensor>();
        foreach (var name in names)
        {
            var data = ReferenceFile.Floats(reference.GetProperty("params").GetProperty(name));
            var shape = ReferenceFile.Longs(reference.GetProperty("shapes").GetProperty(name));
            p[name] = tensor(data, shape).requires_grad_();
        }
        var x = tensor(ReferenceFile.Floats(reference.GetProperty("x")), ReferenceFile.Longs(reference.GetProperty("x_shape")));
        var y = tensor(ReferenceFile.Longs(reference.GetProperty("y")));
        var runningMean = zeros(4);
        var runningVar = ones(4);
        var velocity = names.ToDictionary(n => n, n => zeros_like(p[n]));
        var lr = reference.GetProperty("lr").GetDouble();
        var momentum = reference.GetProperty("momentum").GetDouble();

        var step = 0;
        foreach (var expected in reference.GetProperty("steps").EnumerateArray())
        {
            using var stepScope = NewDisposeScope();
            foreach (var t in p.Values) t.grad = null;

            var h = conv2d(x, p["conv1.weight"], p["conv1.bias"], strides: new long[] { 1, 1 }, padding: new long[] { 1, 1 });
            h = batch_norm(h, runningMean, runningVar, p["bn.weight"], p["bn.bias"], training: true, momentum: 0.1, eps: 1e-5);
            h = relu(h);
            h = conv2d(h, p["conv2.weight"], p["conv2.bias"], strides: new long[] { 2, 2 }, padding: new long[] { 1, 1 });
            h = relu(h);
            h = adaptive_avg_pool2d(h, new long[] { 1, 1 }).flatten(1);
            var logits = linear(h, p["fc.weight"], p["fc.bias"]);
            var loss = cross_entropy(logits, y, label_smoothing: 0.1);
            loss.backward();

            loss.item<float>().Should().BeApproximately(expected.GetProperty("loss").GetSingle(), (float)Tolerance, $"loss at step {step}");
            foreach (var name in names)
            {
                var g = p[name].grad!;
                g.sum().item<float>().Should().BeApproximately(expected.GetProperty("grad_sums").GetProperty(name).GetSingle(), (float)Tolerance, $"grad sum of {name} at step {step}");
                g.abs().sum().item<float>().Should().BeApproximately(expected.GetProperty("grad_abs_sums").GetProperty(name).GetSingle(), (float)Tolerance, $"grad |sum| of {name} at step {step}");
            }

            using (no_grad())
            {
                foreach (var name in names)
                {
                    velocity[name].mul_(momentum).add_(p[name].grad!);
                    p[name].sub_(velocity[name], lr);
                }
            }
            step++;
        }

        step.Should().Be(3);
        foreach (var name in names)
            p[name].sum().item<float>().Should().BeApproximately(reference.GetProperty("final_param_sums").GetProperty(name).GetSingle(), (float)Tolerance, $"final sum of {name}");
        runningMean.data<float>().ToArray().Should().BeEquivalentTo(ReferenceFile.Floats(reference.GetProperty("final_running_mean")), o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-6f)).WhenTypeIs<float>());
        runningVar.data<float>().ToArray().Should().BeEquivalentTo(ReferenceFile.Floats(reference.GetProperty("final_running_var")), o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-6f)).WhenTypeIs<float>());
    }
}
