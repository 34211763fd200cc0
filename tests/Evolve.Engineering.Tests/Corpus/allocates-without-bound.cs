public static class Packing
{
    public static double[][] Construct()
    {
        var hoard = new List<double[]>();
        while (true)
        {
            var block = new double[1 << 17];
            block[^1] = hoard.Count;
            hoard.Add(block);
        }
    }
}
