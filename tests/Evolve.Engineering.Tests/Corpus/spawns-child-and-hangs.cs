public static class Packing
{
    public static double[][] Construct()
    {
        System.Diagnostics.Process.Start("/bin/sleep", "MARKER");
        while (true) System.Threading.Thread.Sleep(50);
    }
}
