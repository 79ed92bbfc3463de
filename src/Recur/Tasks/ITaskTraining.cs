using Recur.IO.Checkpoints;
using Recur.Training;

namespace Recur.Tasks;

/// <summary>
/// A task's training once its data is read and checked (what each task's <c>Prepare</c> returns): the model.json it
/// writes and the run itself. The command line drives every task through this.
/// </summary>
public interface ITaskTraining
{
    /// <summary>The training record of a new run started by <paramref name="commandLine"/>.</summary>
    TrainingRecord Record(string commandLine);

    /// <summary>The model.json of this run, with <paramref name="training"/> as its training record.</summary>
    ModelManifest Manifest(TrainingRecord training);

    /// <summary>
    /// Trains into <paramref name="folder"/> (made with <see cref="ModelFolder.Create"/>, or the folder being resumed)
    /// and returns the history; the folder then holds the best epoch's model.
    /// </summary>
    /// <param name="folder">Where the model goes.</param>
    /// <param name="manifest">This run's model.json (from <see cref="Manifest"/>).</param>
    /// <param name="callbacks">Progress display and the like.</param>
    /// <param name="resume">The checkpoint to continue from, or null for a new run.</param>
    /// <param name="cancel">Stops after the current batch (the epoch is validated and saved).</param>
    TrainingHistory Run(ModelFolder folder, ModelManifest manifest, IEnumerable<ITrainerCallback> callbacks, Checkpoint? resume, CancellationToken cancel);
}
