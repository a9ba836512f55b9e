using System;
using System.IO;

namespace Efficient.Training;

/// <summary>Writes a text file through a temporary <c>PATH.tmp-GUID</c> renamed into place, so a reader never sees half of it.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string content)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllText(temp, content);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
