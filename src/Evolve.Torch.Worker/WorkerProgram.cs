using System.Globalization;
using Evolve.Torch.Checks;
using Evolve.Torch.Jobs;
using Evolve.Torch.Mixers;
using Evolve.Torch.Training;

namespace Evolve.Torch.Worker;

/// <summary>Reads a <see cref="WorkerRequest"/>, does the checks or the training it asks for, writes the <see cref="WorkerResponse"/>.</summary>
internal static class WorkerProgram
{
    public const int Ok = 0, Usage = 2, MixerFailed = 3;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length != 1 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: Evolve.Torch.Worker <request.json>  (an existing request file written by the linear-attention evaluator)");
            return Usage;
        }
        WorkerRequest request;
        try
        {
            request = WorkerJson.Read<WorkerRequest>(args[0]);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            Console.Error.WriteLine($"the request {args[0]} is not valid JSON of a worker request: {e.Message}");
            return Usage;
        }

        try
        {
            var response = request.Mode switch
            {
                WorkerRequest.CheckMode => Check(request, cancellationToken),
                WorkerRequest.TrainMode => await TrainAsync(request, cancellationToken),
                _ => null,
            };
            if (response is null)
            {
                Console.Error.WriteLine($"unknown mode '{request.Mode}'; use {WorkerRequest.CheckMode} or {WorkerRequest.TrainMode}");
                return Usage;
            }
            WorkerJson.WriteAtomically(request.ResultPath, response);
            return Ok;
        }
        catch (CandidateException e)
        {
            WorkerJson.WriteAtomically(request.ResultPath, new WorkerResponse(e.Message));
            Console.Error.WriteLine(e.Message);
            return MixerFailed;
        }
    }

    private static WorkerResponse Check(WorkerRequest request, CancellationToken cancellationToken)
    {
        var settings = request.Checks ?? throw new CandidateException("a check request needs check settings");
        TorchRuntime.Initialize(cpuThreads: 1);
        var factory = CandidateLoader.Load(request.Mixer);
        var options = settings.Options;
        if (settings.MaxParametersVsDeltaNet is { } ratio)
        {
            using var deltaNet = ReferenceMixers.DeltaNet()(options.Dim);
            long baseline = deltaNet.parameters().Sum(p => p.numel());
            options = options with { MaxParameters = (long)Math.Floor(ratio * baseline) };
        }
        var results = MixerChecks.RunAll(factory, options, cancellationToken);
        foreach (var result in results) Console.WriteLine($"{request.Label} check {result.Check}: {(result.Passed ? "passed" : "FAILED")} - {result.Reason}");
        return new WorkerResponse(null, Checks: results);
    }

    private static async Task<WorkerResponse> TrainAsync(WorkerRequest request, CancellationToken cancellationToken)
    {
        var settings = request.Training ?? throw new CandidateException("a train request needs training settings");
        settings.Validate();
        var factory = CandidateLoader.Load(request.Mixer);
        var outcomes = new List<BenchmarkOutcome>();
        foreach (var benchmark in settings.Benchmarks)
        {
            var directory = Path.Combine(request.StateDirectory, benchmark.Name);
            var resultPath = Path.Combine(directory, "result.json");
            if (File.Exists(resultPath))
            {
                // Finished by an earlier attempt of this stage: its figures stand (retraining would only repeat them).
                outcomes.Add(new BenchmarkOutcome(benchmark.Name, WorkerJson.Read<TrainingResult>(resultPath)));
                Console.WriteLine($"{request.Label} {benchmark.Name}: already trained by an earlier attempt");
                continue;
            }
            var task = benchmark.Create();
            var run = TrainingRun.For(task, factory,
                settings.Training with { CheckpointDirectory = Path.Combine(directory, "checkpoints") },
                settings.Dim, settings.Layers, settings.MlpRatio);
            var progress = new CallbackProgress<TrainingProgress>(p => Console.WriteLine(WorkerProgressLine.Format(request.Label, benchmark.Name, p)));
            TrainingResult result;
            try
            {
                result = await new Trainer().TrainAsync(run, progress, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException && !request.Mixer.IsBaseline && e is not IOException)
            {
                throw new CandidateException($"training on {benchmark.Name} failed: {TorchErrors.Describe(e)}", e);
            }
            WorkerJson.WriteAtomically(resultPath, result);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{request.Label} {benchmark.Name} done: accuracy {result.EvaluationAccuracy:F4} loss {result.EvaluationLoss:F4} parameters {result.Parameters} device {result.Device}"));
            outcomes.Add(new BenchmarkOutcome(benchmark.Name, result));
        }
        return new WorkerResponse(null, Benchmarks: outcomes);
    }
}
