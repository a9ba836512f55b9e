using System.Collections.Generic;
using TorchSharp.Modules;
using static Efficient.Training.Tests.Core.TestModels;

namespace Efficient.Training.Tests.Core;

public class ModelSurgeryOptimizerTests
{
    /// <summary>A copy of a Linear under the same parameter names (new parameter objects).</summary>
    private sealed class CopiedLinear : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter weight;
        private readonly Parameter bias;

        public CopiedLinear(Linear source) : base(nameof(CopiedLinear))
        {
            weight = new Parameter(source.weight.detach().clone());
            bias = new Parameter(source.bias!.detach().clone());
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);
    }

    [Fact]
    public void ExistingOptimizerFollowsReplacedParametersAndKeepsTheirState()
    {
        var (x, y) = Data(n: 16);
        using var model = new Mlp();
        var optimizer = optim.SGD(model.parameters(), learningRate: 0.1, momentum: 0.9);
        nn.functional.cross_entropy(model.call(x), y).backward();
        optimizer.step(); // creates momentum buffers

        model.eval();
        var fc2 = (Linear)model.named_children().Single(c => c.name == "fc2").module;
        var surgery = new ModelSurgery(model, optimizer);
        var replacement = new CopiedLinear(fc2);
        surgery.Replace("fc2", replacement).Should().BeSameAs(fc2);

        replacement.training.Should().BeFalse("the replacement takes the replaced module's mode");
        var held = new HashSet<Parameter>(optimizer.parameters(), ReferenceEqualityComparer.Instance);
        held.SetEquals(model.parameters()).Should().BeTrue("the copied parameters replace the old ones in the optimizer");
        held.Should().NotContain(fc2.weight);
        optimizer.ParamGroups.Should().HaveCount(1, "swapped parameters keep their group");

        // Training continues on the new parameters.
        var before = replacement.get_parameter("weight")!.detach().clone();
        optimizer.zero_grad();
        nn.functional.cross_entropy(model.call(x), y).backward();
        optimizer.step();
        replacement.get_parameter("weight")!.SameValues(before).Should().BeFalse();
    }
}
