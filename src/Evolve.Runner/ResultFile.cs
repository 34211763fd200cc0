using System.Collections;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Evolve.Runner;

/// <summary>
/// Writes the single result document of a run: {"status":"ok","value":…}, {"status":"exception",…} or
/// {"status":"setup_error",…}. Written to a temporary file and renamed, so the host never reads half a result.
/// </summary>
internal sealed class ResultFile(string path)
{
    // Bounds on what a candidate may return: an endless enumerable or a huge array must not hang or flood the host.
    private const int MaxElements = 4_000_000;
    private const int MaxDepth = 64;
    private const int MaxTextChars = 4000;

    private int _elements;

    public void WriteValue(object? value) => Write(w =>
    {
        w.WriteString("status", "ok");
        w.WritePropertyName("value");
        WriteJson(w, value, 0);
    });

    public void WriteException(Exception e) => Write(w =>
    {
        w.WriteString("status", "exception");
        w.WriteString("type", e.GetType().FullName);
        w.WriteString("message", Clip(e.Message));
        w.WriteString("stack", Clip(e.StackTrace ?? ""));
        if (e.InnerException is { } inner) w.WriteString("inner", Clip($"{inner.GetType().FullName}: {inner.Message}"));
    });

    public void WriteSetupError(string message) => Write(w =>
    {
        w.WriteString("status", "setup_error");
        w.WriteString("message", message);
    });

    /// <summary>Runs the serialisation and file code once, so a spare runner has it compiled before a job arrives.</summary>
    public static void WarmUp()
    {
        var sample = new object?[] { new[] { new[] { 0.5, double.NaN, 1.0 } }, new double[1, 1], 1, "s", true, null, (1, 2.0) };
        var file = new ResultFile(Path.Combine(Directory.GetCurrentDirectory(), ".runner-warmup.json"));
        file.WriteValue(sample);
        file.WriteException(new InvalidOperationException("warm-up"));
        File.Delete(file._path);
        _ = typeof(EntryPointResolver).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static);
    }

    private readonly string _path = path;

    private void Write(Action<Utf8JsonWriter> body)
    {
        _elements = 0;
        var temp = _path + ".tmp";
        using (var stream = File.Create(temp))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            try
            {
                body(writer);
            }
            catch (OutputTooLargeException e)
            {
                // Restart the document: the partial value is useless.
                writer.Reset();
                stream.SetLength(0);
                writer.WriteStartObject();
                writer.WriteString("status", "exception");
                writer.WriteString("type", "Evolve.OutputTooLarge");
                writer.WriteString("message", e.Message);
                writer.WriteString("stack", "");
            }
            writer.WriteEndObject();
        }
        File.Move(temp, _path, overwrite: true);
    }

    private void WriteJson(Utf8JsonWriter w, object? value, int depth)
    {
        if (depth > MaxDepth) throw new OutputTooLargeException($"the returned value is nested deeper than {MaxDepth} levels");
        if (++_elements > MaxElements) throw new OutputTooLargeException($"the returned value has more than {MaxElements} elements");
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case double d: WriteDouble(w, d); break;
            case float f: WriteDouble(w, f); break;
            case decimal m: w.WriteNumberValue(m); break;
            case int or long or short or sbyte or byte or ushort or uint: w.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case ulong u: w.WriteNumberValue(u); break;
            case bool b: w.WriteBooleanValue(b); break;
            case string s: w.WriteStringValue(s); break;
            case char c: w.WriteStringValue(c.ToString()); break;
            case Array { Rank: > 1 } array: WriteMultiDimensional(w, array, 0, new int[array.Rank], depth); break;
            case IDictionary dictionary:
                w.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    w.WritePropertyName(entry.Key.ToString() ?? "");
                    WriteJson(w, entry.Value, depth + 1);
                }
                w.WriteEndObject();
                break;
            case ITuple tuple:
                w.WriteStartArray();
                for (var i = 0; i < tuple.Length; i++) WriteJson(w, tuple[i], depth + 1);
                w.WriteEndArray();
                break;
            case IEnumerable sequence:
                w.WriteStartArray();
                foreach (var item in sequence) WriteJson(w, item, depth + 1);
                w.WriteEndArray();
                break;
            default: w.WriteStringValue(Clip(value.ToString() ?? "")); break;
        }
    }

    private void WriteMultiDimensional(Utf8JsonWriter w, Array array, int dimension, int[] index, int depth)
    {
        w.WriteStartArray();
        for (var i = 0; i < array.GetLength(dimension); i++)
        {
            index[dimension] = i;
            if (dimension == array.Rank - 1) WriteJson(w, array.GetValue(index), depth + 1);
            else WriteMultiDimensional(w, array, dimension + 1, index, depth + 1);
        }
        w.WriteEndArray();
    }

    // JSON has no NaN or infinities; write them as strings so the evaluator can see and reject them.
    private static void WriteDouble(Utf8JsonWriter w, double d)
    {
        if (double.IsFinite(d)) w.WriteNumberValue(d);
        else w.WriteStringValue(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    }

    private static string Clip(string text) => text.Length <= MaxTextChars ? text : text[..MaxTextChars] + "…";
}

internal sealed class OutputTooLargeException(string message) : Exception(message);
