public static class Packing
{
    public static double[][] Construct()
    {
        var x = 0.0;
        while (true) x = Math.Sin(x) + 1.0;
    }
}
