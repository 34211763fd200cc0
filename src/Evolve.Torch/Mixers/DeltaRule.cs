using static TorchSharp.torch;

namespace Evolve.Torch.Mixers;

/// <summary>
/// The delta rule S_t = S_{t-1}(I − β_t k_t k_tᵀ) + β_t v_t k_tᵀ, o_t = S_t q_t, computed either
/// step by step (the definition, for tests) or in chunks (what DeltaNet trains with).
/// Shapes: q, k (batch, heads, time, dk); v (batch, heads, time, dv); beta (batch, heads, time).
/// The state is held transposed, M = Sᵀ of shape (dk, dv), so that o_tᵀ = q_tᵀ M.
/// </summary>
public static class DeltaRule
{
    /// <summary>One step at a time: O(T) sequential steps, the reference the chunked form must equal.</summary>
    public static Tensor Recurrent(Tensor q, Tensor k, Tensor v, Tensor beta)
    {
        using var scope = NewDisposeScope();
        long time = q.shape[2];
        var state = zeros(q.shape[0], q.shape[1], k.shape[3], v.shape[3], dtype: v.dtype, device: v.device);
        var outputs = new List<Tensor>((int)time);
        for (long t = 0; t < time; t++)
        {
            var kt = k.select(2, t).unsqueeze(-1);            // (b, h, dk, 1)
            var vt = v.select(2, t).unsqueeze(-2);            // (b, h, 1, dv)
            var bt = beta.select(2, t).unsqueeze(-1).unsqueeze(-1);
            var predicted = kt.transpose(-1, -2).matmul(state); // S k, as a row
            state = state + kt.matmul(bt * (vt - predicted));
            outputs.Add(q.select(2, t).unsqueeze(-2).matmul(state).squeeze(-2));
        }
        return stack(outputs, dim: 2).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Chunked form. Within a chunk starting from state M, the pseudo-values u_t = β_t(v_t − Sk_t)
    /// satisfy (I + diag(β) tril₋₁(KKᵀ)) U = diag(β)(V − K M), so U = Ũ − W M with
    /// Ũ = T⁻¹diag(β)V and W = T⁻¹diag(β)K (the WY/UT form) computed for all chunks at once by one
    /// triangular solve; then O = Q M + tril(QKᵀ) U and M ← M + KᵀU carry the state across chunks.
    /// Cost is linear in time: O(T·C) for the chunk-local parts, T/C sequential state updates.
    /// </summary>
    public static Tensor Chunked(Tensor q, Tensor k, Tensor v, Tensor beta, int chunkSize = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        using var scope = NewDisposeScope();
        long batch = q.shape[0], heads = q.shape[1], time = q.shape[2], dk = q.shape[3], dv = v.shape[3];
        long chunk = Math.Min(chunkSize, time);
        long pad = (chunk - time % chunk) % chunk;
        if (pad > 0)
        {
            // Zero keys, values and β leave the state untouched, so padding at the end is harmless.
            q = nn.functional.pad(q, [0, 0, 0, pad]);
            k = nn.functional.pad(k, [0, 0, 0, pad]);
            v = nn.functional.pad(v, [0, 0, 0, pad]);
            beta = nn.functional.pad(beta, [0, pad]);
        }
        long chunks = (time + pad) / chunk;
        q = q.reshape(batch, heads, chunks, chunk, dk);
        k = k.reshape(batch, heads, chunks, chunk, dk);
        v = v.reshape(batch, heads, chunks, chunk, dv);
        var b = beta.reshape(batch, heads, chunks, chunk, 1);

        var kBeta = k * b;
        var system = kBeta.matmul(k.transpose(-1, -2)).tril(-1) + eye(chunk, dtype: q.dtype, device: q.device);
        var solved = linalg.solve_triangular(system, cat([kBeta, v * b], dim: -1), upper: false, left: true, unitriangular: true);
        var w = solved.narrow(-1, 0, dk);
        var uTilde = solved.narrow(-1, dk, dv);
        var intraChunk = q.matmul(k.transpose(-1, -2)).tril();

        var state = zeros(batch, heads, dk, dv, dtype: v.dtype, device: v.device);
        var outputs = new List<Tensor>((int)chunks);
        for (long c = 0; c < chunks; c++)
        {
            var qc = q.select(2, c);
            var kc = k.select(2, c);
            var u = uTilde.select(2, c) - w.select(2, c).matmul(state);
            outputs.Add(qc.matmul(state) + intraChunk.select(2, c).matmul(u));
            state = state + kc.transpose(-1, -2).matmul(u);
        }
        var output = stack(outputs, dim: 2).reshape(batch, heads, chunks * chunk, dv);
        return output.narrow(2, 0, time).MoveToOuterDisposeScope();
    }
}
