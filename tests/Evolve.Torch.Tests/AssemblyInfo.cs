// Torch tests share one process-wide native runtime and thread setting, and the cost check measures
// process memory; running them one at a time also keeps the shared CPU free for others.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
