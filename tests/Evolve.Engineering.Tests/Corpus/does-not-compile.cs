public static class Packing
{
    public static double[][] Construct()
    {
        var circles = new double[26][]
        return circles;
    }
}
