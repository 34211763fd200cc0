public static class Packing
{
    public static double[][] Construct() => Build(26);

    private static double[][] Build(int n)
    {
        if (n > 0) throw new InvalidOperationException("no packing found for 26 circles");
        return new double[0][];
    }
}
