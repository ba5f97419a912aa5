using System.Runtime.InteropServices;

namespace GntCom.Xen;

/// <summary>
/// libxenstore, the client library xl itself uses (Debian: libxenstore4). Loaded on first
/// call, so a host without it gets a clear error rather than a failed start.
/// It connects to $XENSTORED_PATH, /run/xenstored/socket or /dev/xen/xenbus.
/// </summary>
internal static unsafe partial class XenstoreInterop
{
    public const string Lib = "libxenstore.so.4";
    public const uint XBT_NULL = 0;

    [LibraryImport(Lib, EntryPoint = "xs_open", SetLastError = true)]
    public static partial nint Open(nuint flags);

    [LibraryImport(Lib, EntryPoint = "xs_close")]
    public static partial void Close(nint handle);

    [LibraryImport(Lib, EntryPoint = "xs_read", SetLastError = true)]
    public static partial void* Read(nint handle, uint transaction, byte* path, uint* length);

    [LibraryImport(Lib, EntryPoint = "xs_write", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool Write(nint handle, uint transaction, byte* path, byte* data, uint length);

    [LibraryImport(Lib, EntryPoint = "xs_rm", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool Remove(nint handle, uint transaction, byte* path);

    [LibraryImport("libc", EntryPoint = "free")]
    public static partial void Free(void* p);
}
