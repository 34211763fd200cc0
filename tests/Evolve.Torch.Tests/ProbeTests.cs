namespace Evolve.Torch.Tests;
public class ProbeTests { [Fact] public void Matmul() => Assert.Equal(8f, Probe.Run()); }
