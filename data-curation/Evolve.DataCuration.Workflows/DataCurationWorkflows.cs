using Evolve.Durable.Hosting;

namespace Evolve.DataCuration.Workflows;

public static class DataCurationWorkflows
{
    /// <summary>Registers <see cref="DataCurationWorkflow"/> and its activities with a worker.</summary>
    public static DurableRegistry AddDataCurationWorkflows(this DurableRegistry registry) =>
        registry.AddWorkflow<DataCurationWorkflow>()
            .AddActivity<ListShardsActivity>()
            .AddActivity<ShardSignatureActivity>()
            .AddActivity<DuplicatePlanActivity>()
            .AddActivity<ShardCurationActivity>()
            .AddActivity<CurationManifestActivity>();
}
