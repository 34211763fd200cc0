using System.Text.Json;
using System.Text.Json.Nodes;
using Evolve.Core;
using Evolve.Core.Text;

namespace Evolve.Sampling;

/// <summary>
/// MAP-Elites with islands. Every ok node lands in its island's grid (one cell per combination of feature bins),
/// where it stays only while it is the best of its cell. Roots always come from the grids: exploitation picks one of
/// the island's top-k elites, exploration any elite of the island, and the rest a top elite of any island. Every
/// <c>migrationInterval</c> rounds each island sends its best never-migrated elites to the next island of the ring;
/// a migrant is marked as such and never moves again.
/// </summary>
public sealed class MapElitesSampler : SamplerBase
{
    private readonly MapElitesOptions _map;
    private readonly FeatureSpace _features;
    private readonly Island[] _islands;
    private readonly HashSet<string> _migrated = new(StringComparer.Ordinal);
    private long _lastMigrationRound;

    public MapElitesSampler(SamplerOptions options) : base(options)
    {
        _map = options.MapElites;
        _features = new FeatureSpace(_map.Dimensions);
        _islands = Enumerable.Range(0, _map.Islands).Select(_ => new Island(_features.SignatureDimensions)).ToArray();
    }

    public override string Kind => "map-elites";
    public override bool NeedsObservations => true;

    /// <summary>The elites of one island's grid (migrants included), best first. For reports and tests.</summary>
    public IReadOnlyList<Elite> ElitesOf(int island) => _islands[island].SortedElites();

    /// <summary>Home island of a node: the island of the round that produced it.</summary>
    public int IslandOf(int nodeIsland) => ((nodeIsland % _islands.Length) + _islands.Length) % _islands.Length;

    protected override void OnObserve(Node node)
    {
        if (!node.IsOk) return;
        var island = _islands[IslandOf(node.Island)];
        var (features, signature) = _features.Measure(node, island.Centroid());
        island.AddToCentroid(signature);
        island.Offer(new Elite(node.Id, node.Score!.Value, _features.CellOf(features), features, Migrant: false, FromIsland: IslandOf(node.Island)));
    }

    protected override SampleResult Draw(SamplingRequest request)
    {
        if (_map.MigrationInterval > 0 && _islands.Length > 1 && request.Round - _lastMigrationRound >= _map.MigrationInterval)
        {
            Migrate();
            _lastMigrationRound = request.Round;
        }

        var islandIndex = (int)(request.Round % _islands.Length);
        var island = _islands[islandIndex];
        var own = island.SortedElites();
        if (_islands.All(i => i.SortedElites().Count == 0))
        {
            if (OkCandidates(request).Any())
                throw new InvalidOperationException("MAP-Elites has observed no ok node, yet the request holds ok candidates: feed Observe every committed node (from ObservedThroughSequence on) before sampling.");
            return new SampleResult(request.Round, "map-elites:empty", islandIndex, null, [], PickLessons(request, islandIndex));
        }

        Elite root;
        string strategy;
        var r = Rng.NextDouble();
        if (own.Count == 0)
        {
            // A young island borrows a top elite from anywhere; the child it produces becomes its first member.
            root = PickFromTop(AllElites());
            strategy = "map-elites:seed-island";
        }
        else if (r < _map.ExploitationRatio)
        {
            root = PickFromTop(own);
            strategy = "map-elites:exploit";
        }
        else if (r < _map.ExploitationRatio + _map.ExplorationRatio)
        {
            root = own[Rng.NextInt(own.Count)];
            strategy = "map-elites:explore";
        }
        else
        {
            root = PickFromTop(AllElites());
            strategy = "map-elites:global";
        }

        var context = PickContext(request, root.NodeId, own.Take(Options.ContextPoolSize).Select(e => e.NodeId));
        return new SampleResult(request.Round, strategy, islandIndex, root.NodeId, context, PickLessons(request, islandIndex));
    }

    private List<Elite> AllElites() =>
        _islands.SelectMany(i => i.SortedElites()).OrderByDescending(e => e.Score).ThenBy(e => e.NodeId, StringComparer.Ordinal).ToList();

    private Elite PickFromTop(IReadOnlyList<Elite> sorted) => sorted[Rng.NextInt(Math.Min(Options.RootPoolSize, sorted.Count))];

    private void Migrate()
    {
        // Choose all emigrants before placing any, so nothing travels two hops in one migration.
        var moves = new List<(int Target, Elite Migrant)>();
        for (var source = 0; source < _islands.Length; source++)
        {
            var candidates = _islands[source].SortedElites().Where(e => !e.Migrant && !_migrated.Contains(e.NodeId)).ToList();
            if (candidates.Count == 0) continue;
            var count = Math.Max(1, (int)Math.Ceiling(_map.MigrationRate * candidates.Count));
            foreach (var elite in candidates.Take(count))
            {
                moves.Add(((source + 1) % _islands.Length, elite with { Migrant = true, FromIsland = source }));
                _migrated.Add(elite.NodeId);
            }
        }
        foreach (var (target, migrant) in moves) _islands[target].Offer(migrant);
    }

    protected override object? SaveData()
    {
        return new MapElitesState(
            _islands.Select(i => new IslandState(i.CentroidSum, i.Members, i.SortedElites().ToList())).ToList(),
            _migrated.Order(StringComparer.Ordinal).ToList(),
            _lastMigrationRound,
            _features.Fingerprint);
    }

    protected override void RestoreData(JsonNode? data)
    {
        var state = data.Deserialize<MapElitesState>(Json) ?? throw new FormatException("MAP-Elites state has no 'data'.");
        if (state.Islands.Count != _islands.Length || state.FeatureFingerprint != _features.Fingerprint)
            throw new InvalidOperationException(
                $"Saved MAP-Elites state has {state.Islands.Count} islands and features '{state.FeatureFingerprint}', but the settings now give {_islands.Length} islands and '{_features.Fingerprint}'. Island membership cannot be remapped; keep the settings or start a new campaign.");
        for (var i = 0; i < _islands.Length; i++) _islands[i].Restore(state.Islands[i]);
        _migrated.Clear();
        _migrated.UnionWith(state.Migrated);
        _lastMigrationRound = state.LastMigrationRound;
    }

    /// <summary>The occupant of one grid cell.</summary>
    /// <param name="Migrant">True for a copy received from another island; such a copy never migrates again.</param>
    public sealed record Elite(string NodeId, double Score, int Cell, double[] Features, bool Migrant, int FromIsland);

    private sealed record IslandState(float[] CentroidSum, long Members, List<Elite> Elites);

    private sealed record MapElitesState(List<IslandState> Islands, List<string> Migrated, long LastMigrationRound, string FeatureFingerprint);

    private sealed class Island(int signatureDimensions)
    {
        private readonly Dictionary<int, Elite> _cells = [];
        private List<Elite>? _sorted;

        public float[] CentroidSum { get; private set; } = new float[signatureDimensions];
        public long Members { get; private set; }

        public void Offer(Elite elite)
        {
            // Ties keep the incumbent: the earlier node already represents the cell.
            if (_cells.TryGetValue(elite.Cell, out var current) && current.Score >= elite.Score) return;
            _cells[elite.Cell] = elite;
            _sorted = null;
        }

        public IReadOnlyList<Elite> SortedElites() =>
            _sorted ??= _cells.Values.OrderByDescending(e => e.Score).ThenBy(e => e.NodeId, StringComparer.Ordinal).ToList();

        public float[]? Centroid()
        {
            if (Members == 0 || CentroidSum.Length == 0) return null;
            return CentroidSum.Select(v => v / Members).ToArray();
        }

        public void AddToCentroid(float[]? signature)
        {
            if (signature is null) return;
            for (var i = 0; i < signature.Length; i++) CentroidSum[i] += signature[i];
            Members++;
        }

        public void Restore(IslandState state)
        {
            CentroidSum = state.CentroidSum;
            Members = state.Members;
            _cells.Clear();
            foreach (var elite in state.Elites) _cells[elite.Cell] = elite;
            _sorted = null;
        }
    }
}

/// <summary>Turns a node into its feature values and grid cell.</summary>
internal sealed class FeatureSpace
{
    private const int SignatureSize = 64;
    private readonly IReadOnlyList<FeatureDimensionOptions> _dimensions;
    private readonly FeatureHasher? _hasher;

    public FeatureSpace(IReadOnlyList<FeatureDimensionOptions> dimensions)
    {
        _dimensions = dimensions;
        if (dimensions.Any(d => d.Name == FeatureDimensionOptions.Diversity)) _hasher = new FeatureHasher(SignatureSize);
        Fingerprint = string.Join(";", dimensions.Select(d => $"{d.Name}:{d.Bins}:{d.Min}:{d.Max}"));
    }

    public int SignatureDimensions => _hasher is null ? 0 : SignatureSize;
    public string Fingerprint { get; }

    /// <summary>Feature values of a node; diversity is the cosine distance of its code to the island's centroid at arrival.</summary>
    public (double[] Features, float[]? Signature) Measure(Node node, float[]? centroid)
    {
        var signature = _hasher?.Embed(node.Code ?? "");
        var values = new double[_dimensions.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var name = _dimensions[i].Name;
            values[i] = name switch
            {
                FeatureDimensionOptions.Complexity => (node.Code ?? "").Length,
                FeatureDimensionOptions.Diversity => CosineDistance(signature!, centroid),
                _ => node.Metrics.TryGetValue(name, out var metric)
                    ? metric
                    : throw new InvalidOperationException(
                        $"sampler.mapElites.dimensions names metric '{name}', but ok node {node.Id} (round {node.Round}) has no such metric; it has: {string.Join(", ", node.Metrics.Keys.Order())}."),
            };
        }
        return (values, signature);
    }

    public int CellOf(IReadOnlyList<double> features)
    {
        var cell = 0;
        for (var i = 0; i < _dimensions.Count; i++)
        {
            var d = _dimensions[i];
            var position = (features[i] - d.Min) / (d.Max - d.Min);
            var bin = double.IsNaN(position) ? 0 : (int)Math.Clamp(Math.Floor(position * d.Bins), 0, d.Bins - 1);
            cell = cell * d.Bins + bin;
        }
        return cell;
    }

    private static double CosineDistance(float[] signature, float[]? centroid)
    {
        if (centroid is null) return 0;
        double dot = 0, norm = 0;
        for (var i = 0; i < signature.Length; i++)
        {
            dot += signature[i] * centroid[i];
            norm += centroid[i] * centroid[i];
        }
        return norm <= 0 ? 0 : Math.Clamp(1 - dot / Math.Sqrt(norm), 0, 2);
    }
}
