#nullable enable
// MSBuild task (compiled by RoslynCodeTaskFactory from Evolve.Torch.NativeFix.targets) that makes
// TorchSharp's libLibTorchSharp.so load on hosts whose libstdc++ lacks GLIBCXX_3.4.32.
// Kept free of anything but the BCL and Microsoft.Build so the task factory can compile it alone.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class PatchLibTorchSharpForOldLibstdcxx : Task
{
    const string MissingVersion = "GLIBCXX_3.4.32";
    const string CompatLibraryName = "libevolve_glibcxx_compat.so";

    /// <summary>Every copy of libLibTorchSharp.so in the output that must load.</summary>
    [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>C++ source of the compat library.</summary>
    [Required] public string CompatSource { get; set; } = "";

    /// <summary>Where the compiled compat library is cached (obj folder).</summary>
    [Required] public string IntermediateDirectory { get; set; } = "";

    /// <summary>Overrides host detection: "true" patches always, "false" never (for tests and odd hosts).</summary>
    public string Force { get; set; } = "";

    public override bool Execute()
    {
        if (Libraries.Length == 0) return true;
        bool needed = Force switch
        {
            "true" => true,
            "false" => false,
            _ => !HostLibstdcxxProvides(MissingVersion),
        };
        if (!needed)
        {
            Log.LogMessage(MessageImportance.Low, $"Host libstdc++ provides {MissingVersion}; TorchSharp needs no patch.");
            return true;
        }

        string compat = BuildCompatLibrary();
        if (compat.Length == 0) return false;
        foreach (var item in Libraries)
        {
            string library = item.GetMetadata("FullPath");
            if (!File.Exists(library)) continue;
            if (!PatchOne(library, compat)) return false;
        }
        return !Log.HasLoggedErrors;
    }

    bool PatchOne(string library, string compat)
    {
        string directory = Path.GetDirectoryName(library)!;
        string compatDestination = Path.Combine(directory, CompatLibraryName);
        if (!File.Exists(compatDestination) || !File.ReadAllBytes(compatDestination).SequenceEqual(File.ReadAllBytes(compat)))
        {
            string tempCompat = compatDestination + ".tmp";
            File.Copy(compat, tempCompat, overwrite: true);
            Rename(tempCompat, compatDestination);
        }

        byte[] original = File.ReadAllBytes(library);
        bool hasNeeded = ElfFile.NeededLibraries(original).Contains(CompatLibraryName);
        bool isWeak = ElfFile.IsVersionNeedWeak(original, MissingVersion) ?? true;
        if (hasNeeded && isWeak)
        {
            Log.LogMessage(MessageImportance.Low, $"{library} is already patched.");
            return true;
        }

        // Patch a copy, then rename it over the original: a crash never leaves a half-written library.
        string temp = library + ".evolve-patch.tmp";
        File.WriteAllBytes(temp, original);
        if (!hasNeeded && !Run("patchelf", $"--add-needed {CompatLibraryName} \"{temp}\"",
                "install patchelf (Debian: apt-get install patchelf)"))
            return false;
        byte[] patched = File.ReadAllBytes(temp);
        if (!ElfFile.MarkVersionNeedWeak(patched, MissingVersion))
        {
            Log.LogError($"{library}: no {MissingVersion} entry in .gnu.version_r to mark weak; TorchSharp's native library changed, revisit the patch.");
            return false;
        }
        File.WriteAllBytes(temp, patched);
        Rename(temp, library);
        Log.LogMessage(MessageImportance.High, $"Patched {library} for a libstdc++ without {MissingVersion}.");
        return true;
    }

    string BuildCompatLibrary()
    {
        Directory.CreateDirectory(IntermediateDirectory);
        string output = Path.Combine(IntermediateDirectory, CompatLibraryName);
        if (File.Exists(output) && File.GetLastWriteTimeUtc(output) >= File.GetLastWriteTimeUtc(CompatSource))
            return output;
        string temp = output + ".tmp";
        if (!Run("g++", $"-shared -fPIC -O2 -o \"{temp}\" \"{CompatSource}\"", "install a C++ compiler (Debian: apt-get install g++)"))
            return "";
        Rename(temp, output);
        return output;
    }

    /// <summary>Atomic replace (rename(2) on Unix); the task factory targets netstandard2.0, which lacks File.Move(…, overwrite).</summary>
    static void Rename(string source, string destination)
    {
        if (File.Exists(destination)) File.Replace(source, destination, null);
        else File.Move(source, destination);
    }

    bool Run(string tool, string arguments, string remedy)
    {
        try
        {
            var start = new ProcessStartInfo(tool, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode == 0) return true;
            Log.LogError($"'{tool} {arguments}' failed with exit code {process.ExitCode}: {stderr}{stdout}");
            return false;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Log.LogError($"TorchSharp on this host needs '{tool}' to patch libLibTorchSharp.so (libstdc++ lacks {MissingVersion}): {remedy}.");
            return false;
        }
    }

    static bool HostLibstdcxxProvides(string version)
    {
        string? library = FindHostLibstdcxx();
        if (library == null) return true; // nothing to compare with: leave the natives untouched
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        return ElfFile.Contains(File.ReadAllBytes(library), needle);
    }

    /// <summary>The libstdc++.so.6 the dynamic loader would pick, from its cache, else the usual places.</summary>
    static string? FindHostLibstdcxx()
    {
        foreach (var ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig" })
        {
            if (!File.Exists(ldconfig)) continue;
            try
            {
                var start = new ProcessStartInfo(ldconfig, "-p") { RedirectStandardOutput = true, UseShellExecute = false };
                using var process = Process.Start(start)!;
                string text = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                foreach (var line in text.Split('\n'))
                {
                    if (!line.TrimStart().StartsWith("libstdc++.so.6 ", StringComparison.Ordinal) || !line.Contains("x86-64")) continue;
                    int arrow = line.IndexOf("=>", StringComparison.Ordinal);
                    if (arrow > 0) return line.Substring(arrow + 2).Trim();
                }
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        return new[] { "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" }
            .FirstOrDefault(File.Exists);
    }
}

/// <summary>Just enough of 64-bit little-endian ELF to read DT_NEEDED and flip VER_FLG_WEAK in .gnu.version_r.</summary>
static class ElfFile
{
    const uint ShtDynamic = 6;
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;
    const long DtNeeded = 1;

    public static List<string> NeededLibraries(byte[] elf)
    {
        var result = new List<string>();
        foreach (var (type, offset, size, link) in Sections(elf))
        {
            if (type != ShtDynamic) continue;
            var strings = Section(elf, (int)link);
            for (long entry = offset; entry + 16 <= offset + size; entry += 16)
            {
                long tag = BitConverter.ToInt64(elf, (int)entry);
                if (tag == 0) break;
                if (tag == DtNeeded) result.Add(CString(elf, strings.Offset + BitConverter.ToInt64(elf, (int)entry + 8)));
            }
        }
        return result;
    }

    /// <summary>Null when the library has no requirement of that version at all.</summary>
    public static bool? IsVersionNeedWeak(byte[] elf, string version)
    {
        bool? weak = null;
        VisitVersionNeeds(elf, version, flagsOffset => weak = (BitConverter.ToUInt16(elf, flagsOffset) & VerFlagWeak) != 0);
        return weak;
    }

    public static bool MarkVersionNeedWeak(byte[] elf, string version)
    {
        bool found = false;
        VisitVersionNeeds(elf, version, flagsOffset =>
        {
            ushort flags = (ushort)(BitConverter.ToUInt16(elf, flagsOffset) | VerFlagWeak);
            BitConverter.GetBytes(flags).CopyTo(elf, flagsOffset);
            found = true;
        });
        return found;
    }

    static void VisitVersionNeeds(byte[] elf, string version, Action<int> visitFlags)
    {
        RequireElf64(elf);
        foreach (var (type, offset, size, link) in Sections(elf))
        {
            if (type != ShtGnuVerneed) continue;
            var strings = Section(elf, (int)link);
            long need = offset;
            while (true)
            {
                ushort count = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int i = 0; i < count; i++)
                {
                    string name = CString(elf, strings.Offset + BitConverter.ToUInt32(elf, (int)aux + 8));
                    if (name == version) visitFlags((int)aux + 4);
                    uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
        }
    }

    public static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int start = Array.IndexOf(haystack, needle[0]); start >= 0 && start <= haystack.Length - needle.Length;
             start = Array.IndexOf(haystack, needle[0], start + 1))
        {
            int i = 1;
            while (i < needle.Length && haystack[start + i] == needle[i]) i++;
            if (i == needle.Length) return true;
        }
        return false;
    }

    static void RequireElf64(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
    }

    static IEnumerable<(uint Type, long Offset, long Size, uint Link)> Sections(byte[] elf)
    {
        RequireElf64(elf);
        long table = BitConverter.ToInt64(elf, 0x28);
        ushort entrySize = BitConverter.ToUInt16(elf, 0x3A);
        ushort count = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < count; i++)
        {
            int header = (int)(table + (long)i * entrySize);
            yield return (BitConverter.ToUInt32(elf, header + 4), BitConverter.ToInt64(elf, header + 0x18),
                BitConverter.ToInt64(elf, header + 0x20), BitConverter.ToUInt32(elf, header + 0x28));
        }
    }

    static (long Offset, long Size) Section(byte[] elf, int index)
    {
        var section = Sections(elf).ElementAt(index);
        return (section.Offset, section.Size);
    }

    static string CString(byte[] elf, long offset)
    {
        int end = Array.IndexOf(elf, (byte)0, (int)offset);
        return Encoding.ASCII.GetString(elf, (int)offset, end - (int)offset);
    }
}
