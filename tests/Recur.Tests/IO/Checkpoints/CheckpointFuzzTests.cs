using Recur.Layers;
using Recur.IO.Checkpoints;
using Recur.IO.Safetensors;
using Recur.Models;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.Tests.IO.Checkpoints;

/// <summary>
/// Checkpoints with mutated metadata (the JSON of the optimizer, schedules, history and config; counters) and
/// missing, renamed or reshaped tensors (seeded, deterministic): loading and restoring them either works or throws
/// <see cref="InvalidDataException"/> naming the file; never another exception.
/// </summary>
public class CheckpointFuzzTests
{
    private const int Cases = 2000;
    private static readonly CharLanguageModelConfig Config = new(5, 3, new RecurrentConfig(CellKind.Lstm, 4, NumLayers: 2, Dropout: 0.1f));

    private static (CharLanguageModel, Adam, StepDecay, ReduceOnPlateau) Fresh()
    {
        var model = new CharLanguageModel(Config, new Rng(1));
        var adam = new Adam(model.Parameters, 0.01);
        return (model, adam, new StepDecay(adam, 2), new ReduceOnPlateau(adam));
    }

    private static byte[] Base()
    {
        var (model, adam, schedule, plateau) = Fresh();
        adam.ZeroGrad();
        model.Step([1, 2, 3, 4], [2, 3, 4, 0], 1, 4);
        adam.Step();
        schedule.Step();
        plateau.Step(1.5);
        var c = Checkpoint.Capture("charlm", Config.ToJson(), model, adam, schedule, plateau);
        c.Epoch = 1;
        c.Data[CharLanguageModelCheckpoint.VocabularyKey] = Recur.Data.Text.Vocabulary.ForCharacters("abcd").ToJson(); // UNK + 4
        var history = new TrainingHistory { BestEpoch = 1 };
        history.Add(new EpochRecord(1, 0.5, new Dictionary<string, double> { ["loss"] = 1.25, ["grad_norm"] = double.NaN }));
        c.History = history;
        var stream = new MemoryStream();
        c.WriteTo(stream);
        return stream.ToArray();
    }

    private static string EditText(string text, Random rng)
    {
        const string alphabet = "{}[]:,\"-0123456789eE.aNn_ ";
        int at = rng.Next(text.Length + 1);
        char c = alphabet[rng.Next(alphabet.Length)];
        return rng.Next(4) switch
        {
            0 when text.Length > 0 => text.Remove(Math.Min(at, text.Length - 1), 1),
            1 => text.Insert(at, c.ToString()),
            2 when text.Length > 0 => text[..Math.Min(at, text.Length - 1)] + c + text[(Math.Min(at, text.Length - 1) + 1)..],
            _ => text[..at],
        };
    }

    private static byte[] Mutate(SafetensorsFile file, Random rng)
    {
        var writer = new SafetensorsWriter();
        var keys = file.Metadata.Keys.ToArray();
        var tensors = file.Tensors.ToArray();
        int kind = rng.Next(4);
        string victimKey = keys[rng.Next(keys.Length)], victimTensor = tensors[rng.Next(tensors.Length)].Name;
        foreach (var (key, value) in file.Metadata)
        {
            if (kind == 0 && key == victimKey) writer.AddMetadata(key, EditText(value, rng));
            else if (kind == 1 && key == victimKey) continue;
            else writer.AddMetadata(key, value);
        }
        foreach (var info in file.Tensors)
        {
            string name = info.Name;
            if (kind == 2 && name == victimTensor)
            {
                if (rng.Next(2) == 0) continue;
                name = EditText(name, rng);
                if (name.Length == 0 || name == "__metadata__" || file.Contains(name)) continue;
            }
            if (info.DType == SafetensorsDType.I64) writer.AddInt64(name, file.ReadInt64(info.Name), info.Shape.ToArray());
            else if (kind == 3 && name == victimTensor) writer.Add(name, new Tensor(Math.Max(1, (int)info.ElementCount + rng.Next(-1, 2))));
            else writer.Add(name, file.ReadTensor(info.Name));
        }
        return writer.ToBytes();
    }

    [Fact]
    public void The_unmutated_base_restores()
    {
        var checkpoint = Checkpoint.FromBytes(Base());
        var (model, adam, schedule, plateau) = Fresh();
        checkpoint.Restore(model, adam, schedule, plateau);
        Assert.Equal(Config, CharLanguageModelCheckpoint.Rebuild(checkpoint).Model.Config);
    }

    [Fact]
    public void Mutated_checkpoints_load_and_restore_or_fail_with_invalid_data()
    {
        using var file = SafetensorsFile.FromBytes(Base());
        var rng = new Random(12345);
        int refused = 0;
        for (int i = 0; i < Cases; i++)
        {
            byte[] bytes = Mutate(file, rng);
            try
            {
                var checkpoint = Checkpoint.FromBytes(bytes, source: "fuzz.safetensors");
                var (model, adam, schedule, plateau) = Fresh();
                checkpoint.Restore(model, adam, schedule, plateau);
                CharLanguageModelCheckpoint.Rebuild(checkpoint);
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith("fuzz.safetensors: ", e.Message);
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }
        Assert.InRange(refused, Cases / 4, Cases - 1); // most mutations are caught, not all are harmful
    }
}
