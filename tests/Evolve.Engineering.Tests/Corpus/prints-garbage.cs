public static class Packing
{
    public static double[][] Construct()
    {
        var junk = new char[2000];
        for (var i = 0; i < junk.Length; i++) junk[i] = (char)(i % 32);
        Console.Write(new string(junk));
        Console.WriteLine("}}{{ not json ]]");
        return null;
    }
}
