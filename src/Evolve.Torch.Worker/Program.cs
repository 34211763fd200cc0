using Evolve.Torch.Worker;

// Usage: Evolve.Torch.Worker <request.json>
// Exit codes: 0 the response is written; 2 bad usage or request; 3 the mixer could not be built or trained (the
// response's error says why).
ParentWatch.ExitWhenOrphaned();
return await WorkerProgram.RunAsync(args, CancellationToken.None);
