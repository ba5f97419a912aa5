using System;
using System.Runtime.InteropServices;
using System.Text;
using GntCom;
using GntCom.Interop;

namespace GntCom.Xen;

/// <summary>A connection to xenstore through libxenstore: read, write and remove nodes.</summary>
internal sealed unsafe class Xenstore : IDisposable
{
    private nint _handle;

    private Xenstore(nint handle) => _handle = handle;

    public static Xenstore Open()
    {
        nint h;
        try
        {
            h = XenstoreInterop.Open(0);
        }
        catch (DllNotFoundException)
        {
            throw new GntComException(XenstoreInterop.Lib + " not found: install libxenstore4 (the xenstore client library xl uses)");
        }
        catch (EntryPointNotFoundException)
        {
            throw new GntComException(XenstoreInterop.Lib + " lacks xs_open: a libxenstore of Xen 4.2 or later is needed");
        }
        if (h == 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string where = Environment.GetEnvironmentVariable("XENSTORED_PATH") is { Length: > 0 } p ? p : "/run/xenstored/socket or /dev/xen/xenbus";
            throw new GntComException("cannot connect to xenstore (" + where + "): " + Errno.Describe(errno));
        }
        return new Xenstore(h);
    }

    /// <summary>The node's value, or null when it does not exist.</summary>
    public string? Read(string path)
    {
        byte[] p = Path(path);
        uint len = 0;
        void* data;
        fixed (byte* pp = p) data = XenstoreInterop.Read(_handle, XenstoreInterop.XBT_NULL, pp, &len);
        if (data == null)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ENOENT) return null;
            throw new GntComException("xenstore read " + path + ": " + Errno.Describe(errno));
        }
        try
        {
            return Encoding.UTF8.GetString(new ReadOnlySpan<byte>(data, (int)len));
        }
        finally
        {
            XenstoreInterop.Free(data);
        }
    }

    public void Write(string path, string value)
    {
        byte[] p = Path(path);
        byte[] v = Encoding.UTF8.GetBytes(value);
        bool ok;
        fixed (byte* pp = p)
        fixed (byte* pv = v)
            ok = XenstoreInterop.Write(_handle, XenstoreInterop.XBT_NULL, pp, pv, (uint)v.Length);
        if (!ok) throw new GntComException("xenstore write " + path + ": " + Errno.Describe(Marshal.GetLastPInvokeError()));
    }

    public void Remove(string path)
    {
        byte[] p = Path(path);
        bool ok;
        fixed (byte* pp = p) ok = XenstoreInterop.Remove(_handle, XenstoreInterop.XBT_NULL, pp);
        if (!ok && Marshal.GetLastPInvokeError() != Errno.ENOENT)
            throw new GntComException("xenstore rm " + path + ": " + Errno.Describe(Marshal.GetLastPInvokeError()));
    }

    private static byte[] Path(string path)
    {
        byte[] b = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, b);
        return b;
    }

    public void Dispose()
    {
        if (_handle != 0) XenstoreInterop.Close(_handle);
        _handle = 0;
    }
}
