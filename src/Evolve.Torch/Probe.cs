namespace Evolve.Torch;
public static class Probe { public static float Run() { using var a = TorchSharp.torch.ones(2, 2); return (a.matmul(a)).sum().item<float>(); } }
