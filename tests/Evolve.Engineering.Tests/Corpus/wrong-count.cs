public static class Packing
{
    public static double[][] Construct()
    {
        var circles = new double[25][];
        for (var i = 0; i < 25; i++) circles[i] = new[] { 0.1 + 0.2 * (i % 5), 0.1 + 0.2 * (i / 5), 0.09 };
        return circles;
    }
}
