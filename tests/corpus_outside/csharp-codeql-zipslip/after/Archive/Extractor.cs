using System.IO;
using System.IO.Compression;

class Extractor
{
    public static void WriteToDirectory(ZipArchiveEntry entry,
                                        string destDirectory)
    {
        string destFileName = Path.Combine(destDirectory, entry.FullName);
        entry.ExtractToFile(destFileName); // EXPECT entry name may escape the destination
    }
}
