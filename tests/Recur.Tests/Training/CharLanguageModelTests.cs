using Recur.Layers;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.Models;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;

namespace Recur.Tests.Training;

public class CharLanguageModelTests
{
    [Fact]
    public void Learns_a_repeating_text_and_round_trips_through_a_checkpoint()
    {
        const string text = "hello world. ";
        var vocab = Vocabulary.ForCharacters(text);
        var enc = new CharEncoder(vocab);
        int[] ids = enc.Encode(string.Concat(Enumerable.Repeat(text, 40)));
        var model = new CharLanguageModel(new CharLanguageModelConfig(vocab.Count, 8, new RecurrentConfig(CellKind.Lstm, 32)), new Rng(5));
        var adam = new Adam(model.Parameters, 1e-2);
        const int B = 4, T = 13;
        double loss = double.NaN;
        for (int step = 0; step < 150; step++)
        {
            int start = step * 7 % (ids.Length - B * T - 1);
            var x = new int[B * T]; var y = new int[B * T];
            for (int b = 0; b < B; b++)
                for (int t = 0; t < T; t++) { x[b * T + t] = ids[start + b * T + t]; y[b * T + t] = ids[start + b * T + t + 1]; }
            model.ResetState();
            adam.ZeroGrad();
            loss = model.Step(x, y, B, T);
            GradientClipping.ClipByGlobalNorm(model.Parameters, 5);
            adam.Step();
        }
        Assert.True(loss < 0.2, $"loss after training {loss}");

        var sb = new System.Text.StringBuilder();
        model.Generate(enc.Encode("hello"), 8, 0, 0, new Rng(1), i => sb.Append(vocab[i]));
        Assert.Equal(" world. ", sb.ToString());

        string path = Path.Combine(Path.GetTempPath(), $"recur-charlm-{Guid.NewGuid():N}.safetensors");
        try
        {
            CharLanguageModelCheckpoint.Save(path, model, vocab, new Dictionary<string, string> { ["epoch"] = "3" });
            var (loaded, v2, info) = CharLanguageModelCheckpoint.Load(path);
            Assert.Equal(vocab.Tokens, v2.Tokens);
            Assert.Equal("3", info["epoch"]);
            foreach (var ((name, p), (name2, q)) in model.NamedParameters().Zip(loaded.NamedParameters()))
            {
                Assert.Equal(name, name2);
                Assert.Equal(p.Value.ToArray(), q.Value.ToArray());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
