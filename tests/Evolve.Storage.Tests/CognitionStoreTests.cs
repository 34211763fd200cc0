using Evolve.Core;
using Microsoft.Extensions.AI;

namespace Evolve.Storage.Tests;

public sealed class CognitionStoreTests
{
    private static readonly string[] Priors =
    [
        """{"content": "Hexagonal packings place circles in offset rows; near the square's edges the rows must be trimmed.", "source": "geometry notes", "metadata": {"topic": "layout", "weight": 2}}""",
        """{"content": "Circles in the corners can be larger because they touch two walls.", "source": "geometry notes"}""",
        """{"content": "Multi-start local optimisation with random restarts escapes poor local optima."}""",
        """{"content": "Variable radii: small circles fill the gaps between large ones.", "metadata": null}""",
    ];

    private static async Task<string> WriteJsonlAsync(TempCampaign temp, params string[] lines)
    {
        Directory.CreateDirectory(temp.Root);
        var path = Path.Combine(temp.Root, "cognition.jsonl");
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }

    [Fact]
    public async Task Import_reports_bad_lines_by_number_and_still_imports_the_rest()
    {
        using var temp = new TempCampaign();
        var path = await WriteJsonlAsync(temp, Priors[0], "{ this is not json", Priors[1], "", "[1, 2]", """{"source": "no content"}""", Priors[2],
            """{"content": "x", "metadata": "oops"}""", Priors[3]);
        using var storage = await temp.OpenAsync();

        var result = await storage.Cognition.ImportJsonlAsync(path);

        Assert.Equal(4, result.Imported);
        Assert.Equal([2, 5, 6, 8], result.Errors.Select(e => e.LineNumber));
        Assert.Contains("not valid JSON", result.Errors[0].Message);
        Assert.Contains("object", result.Errors[1].Message);
        Assert.Contains("content", result.Errors[2].Message);
        Assert.Contains("metadata", result.Errors[3].Message);
        Assert.StartsWith("line 2:", result.Errors[0].ToString());

        var items = await storage.Cognition.ListAsync(CognitionOrigin.Seed);
        Assert.Equal(4, items.Count);
        Assert.Equal("layout", items[0].Metadata["topic"]);
        Assert.Equal("2", items[0].Metadata["weight"]);
        Assert.Equal("geometry notes", items[0].Source);
        Assert.Equal(384, items[0].Embedding.Length);

        var again = await storage.Cognition.ImportJsonlAsync(path);
        Assert.Equal((0, 4), (again.Imported, again.AlreadyPresent));
        Assert.Equal(4, await storage.Cognition.CountAsync());
    }

    [Fact]
    public async Task Missing_file_is_a_clear_error()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync();
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => storage.Cognition.ImportJsonlAsync(Path.Combine(temp.Root, "nope.jsonl")));
        Assert.Contains("nope.jsonl", error.Message);
    }

    [Fact]
    public async Task Search_returns_the_most_similar_items_within_top_k_and_threshold()
    {
        using var temp = new TempCampaign();
        var path = await WriteJsonlAsync(temp, Priors);
        using var storage = await temp.OpenAsync();
        await storage.Cognition.ImportJsonlAsync(path);

        var hits = await storage.Cognition.SearchAsync("larger circles in the corners touching two walls", topK: 2, minSimilarity: 0);
        Assert.Equal(2, hits.Count);
        Assert.Contains("corners", hits[0].Item.Content);
        Assert.True(hits[0].Similarity > hits[1].Similarity);

        var all = await storage.Cognition.SearchAsync("circles", topK: 10, minSimilarity: -1);
        Assert.Equal(4, all.Count);
        Assert.Equal(all.Select(h => h.Similarity).OrderDescending(), all.Select(h => h.Similarity));

        var strict = await storage.Cognition.SearchAsync("larger circles in the corners touching two walls", topK: 10, minSimilarity: hits[0].Similarity - 1e-6);
        Assert.Single(strict);
        Assert.Empty(await storage.Cognition.SearchAsync("quantum chromodynamics lattice gauge", topK: 10, minSimilarity: 0.3));
    }

    [Fact]
    public async Task Near_duplicate_insights_are_merged_and_retries_do_not_count_twice()
    {
        using var temp = new TempCampaign();
        using var storage = await temp.OpenAsync(cognition: new CognitionOptions { MergeThreshold = 0.85 });

        var first = await storage.Cognition.AddInsightAsync(new InsightInput("Shrinking the corner circles slightly lets the middle row grow.", "n00003", 3));
        var retry = await storage.Cognition.AddInsightAsync(new InsightInput("Shrinking the corner circles slightly lets the middle row grow.", "n00003", 3));
        var restated = await storage.Cognition.AddInsightAsync(new InsightInput("Shrinking the corner circles slightly lets the middle row grow!", "n00007", 7));
        var different = await storage.Cognition.AddInsightAsync(new InsightInput("A learning rate warmup stabilised training of the attention layer.", "n00008", 8));

        Assert.False(first.MergedIntoExisting);
        Assert.Equal(first.Item.Id, retry.Item.Id);
        Assert.True(restated.MergedIntoExisting);
        Assert.Equal(first.Item.Id, restated.Item.Id);
        Assert.Equal(2, restated.Item.SupportCount);
        Assert.Equal(["n00003", "n00007"], restated.Item.SupportingNodeIds.Order());
        Assert.False(different.MergedIntoExisting);
        Assert.Equal(2, await storage.Cognition.CountAsync());
        var stored = (await storage.Cognition.GetAsync(first.Item.Id))!;
        Assert.Equal(CognitionOrigin.Analyzer, stored.Origin);
        Assert.Equal(3, stored.Round);
        Assert.Equal(2, stored.SupportCount);
    }

    [Fact]
    public async Task Items_added_by_another_store_instance_become_searchable()
    {
        using var temp = new TempCampaign();
        using var reader = await temp.OpenAsync();
        Assert.Empty(await reader.Cognition.SearchAsync("ring layouts", 5, 0));
        using (var writer = await temp.OpenAsync())
            await writer.Cognition.AddSeedAsync("Ring layouts: circles arranged on concentric rings.", "operator");
        var hits = await reader.Cognition.SearchAsync("ring layouts", 5, 0.1);
        Assert.Single(hits);
    }

    [Fact]
    public async Task A_store_embedded_with_another_dimension_is_refused_clearly()
    {
        using var temp = new TempCampaign();
        using (var storage = await temp.OpenAsync())
            await storage.Cognition.AddSeedAsync("Edge circles touch one wall.", "test");
        using var other = await CampaignStorage.OpenAsync(temp.Root, "camp", embedder: new HashingEmbeddingGenerator(64));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => other.Cognition.SearchAsync("edge", 3, 0));
        Assert.Contains("384", error.Message);
        Assert.Contains("64", error.Message);
    }

    [Fact]
    public async Task Hashing_embedder_is_deterministic_normalised_and_ranks_similar_texts_higher()
    {
        using IEmbeddingGenerator<string, Embedding<float>> embedder = new HashingEmbeddingGenerator();
        var vectors = await embedder.GenerateAsync([
            "pack circles densely in a hexagonal lattice",
            "a dense hexagonal lattice packing of circles",
            "train the linear attention layer with a cosine learning rate schedule",
            "pack circles densely in a hexagonal lattice",
        ]);
        float Cos(int a, int b) => System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(vectors[a].Vector.Span, vectors[b].Vector.Span);

        Assert.Equal(vectors[0].Vector.ToArray(), vectors[3].Vector.ToArray());
        Assert.Equal(vectors[0].Vector.ToArray(), (await new HashingEmbeddingGenerator().GenerateAsync(["pack circles densely in a hexagonal lattice"]))[0].Vector.ToArray());
        Assert.Equal(1.0, System.Numerics.Tensors.TensorPrimitives.Norm(vectors[2].Vector.Span), 4);
        Assert.True(Cos(0, 1) > 0.5, $"similar texts: {Cos(0, 1)}");
        Assert.True(Cos(0, 1) > Cos(0, 2) + 0.3, $"similar {Cos(0, 1)} vs unrelated {Cos(0, 2)}");
        Assert.Equal(384, vectors[0].Vector.Length);
        Assert.Equal(384, embedder.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
        Assert.Equal(128, (await new HashingEmbeddingGenerator(128).GenerateAsync(["x"]))[0].Vector.Length);
        await Assert.ThrowsAsync<ArgumentException>(() => embedder.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 10 }));
    }
}
