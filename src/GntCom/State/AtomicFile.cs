using System;
using System.IO;
using System.Text;

namespace GntCom.State;

/// <summary>
/// Replaces a file's content atomically: write a temporary file beside it, then rename.
/// A reader (dnsmasq, another GntCom process) sees the old file or the new one, never a
/// half-written one, even when the writer is killed with SIGKILL (the page cache outlives
/// the process). There is no fsync: the state lives in /run, which a power loss empties
/// together with the interfaces it describes, and an fsync per call would cost the hot
/// path milliseconds on a disk-backed /run.
/// </summary>
public static class AtomicFile
{
    /// <summary>Suffix of temporary files; any left behind by a killed writer are removed under the lock.</summary>
    public const string TempMarker = ".tmp-";

    public static void Write(string path, string content)
    {
        string tmp = path + TempMarker + Environment.ProcessId;
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                fs.Write(Encoding.UTF8.GetBytes(content));
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new GntComException("cannot write " + path + ": " + e.Message);
        }
    }

    /// <summary>Reads a file, or null when it does not exist.</summary>
    public static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GntComException("cannot read " + path + ": " + e.Message);
        }
    }

    /// <summary>Deletes a file; a file that is already gone is fine.</summary>
    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is DirectoryNotFoundException)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GntComException("cannot remove " + path + ": " + e.Message);
        }
    }

    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
