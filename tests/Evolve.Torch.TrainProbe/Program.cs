using Evolve.Torch.Training;
using Evolve.Torch.TrainProbe;

// Usage: Evolve.Torch.TrainProbe <checkpoint-directory> [pause-ms-per-step]
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: Evolve.Torch.TrainProbe <checkpoint-directory> [pause-ms-per-step]");
    return 2;
}
int pause = args.Length == 2 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
var progress = new CallbackProgress<TrainingProgress>(p =>
{
    // Printed per step with a pause, so the test has time to kill the process between checkpoints.
    Console.WriteLine($"step {p.Step} loss {p.Loss:F4} resumed_from {p.ResumedFromStep}");
    if (pause > 0) Thread.Sleep(pause);
});
var result = await new Trainer().TrainAsync(ResumeScenario.Run(args[0]), progress);
Console.WriteLine($"done steps={result.Steps} resumed_from={result.ResumedFromStep} eval_loss={result.EvaluationLoss:R}");
return 0;
