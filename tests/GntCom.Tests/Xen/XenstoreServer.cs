using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace GntCom.Tests.Xen;

/// <summary>
/// A xenstore daemon of our own for tests (no hypervisor runs here, and Debian's xenstored
/// and oxenstored need one). It speaks the xenstore wire protocol on a Unix socket
/// (XENSTORED_PATH): 16-byte header {type, req_id, tx_id, len} then the payload. Enough of
/// it for libxenstore and Debian's xenstore-utils: READ, WRITE, MKDIR, RM, DIRECTORY,
/// DIRECTORY_PART, GET_PERMS/SET_PERMS, TRANSACTION_START/END, WATCH/UNWATCH (with events),
/// GET_DOMAIN_PATH. Every connection is dom0: relative paths resolve under /local/domain/0.
/// </summary>
public sealed class XenstoreServer : IDisposable
{
    private const uint CONTROL = 0, DIRECTORY = 1, READ = 2, GET_PERMS = 3, WATCH = 4, UNWATCH = 5,
        TRANSACTION_START = 6, TRANSACTION_END = 7, GET_DOMAIN_PATH = 10, WRITE = 11, MKDIR = 12, RM = 13,
        SET_PERMS = 14, WATCH_EVENT = 15, ERROR = 16, IS_DOMAIN_INTRODUCED = 17, DIRECTORY_PART = 20, RESET_WATCHES = 21;

    private readonly Socket _listener;
    private readonly SortedDictionary<string, string> _nodes = new(StringComparer.Ordinal) { ["/"] = "" };
    private readonly List<Connection> _connections = new();
    private readonly Thread _acceptor;
    private int _nextTx = 1;
    private volatile bool _stopped;

    public XenstoreServer(string socketPath)
    {
        SocketPath = socketPath;
        File.Delete(socketPath);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(16);
        _acceptor = new Thread(AcceptLoop) { IsBackground = true, Name = "xenstored" };
        _acceptor.Start();
    }

    public string SocketPath { get; }

    /// <summary>Every request the server answered, "TYPE path" (for asserting what a client did).</summary>
    public List<string> Requests { get; } = new();

    public string? Read(string path)
    {
        lock (_nodes) return _nodes.TryGetValue(Canonical(path), out var v) ? v : null;
    }

    public void Write(string path, string value)
    {
        lock (_nodes) SetNode(Canonical(path), value);
    }

    public void Remove(string path)
    {
        lock (_nodes) RemoveTree(Canonical(path));
    }

    /// <summary>"path = value" for every node under <paramref name="prefix"/>, sorted.</summary>
    public string Dump(string prefix)
    {
        lock (_nodes)
            return string.Join('\n', _nodes.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(kv => kv.Key + " = " + kv.Value));
    }

    private static string Canonical(string path)
    {
        if (!path.StartsWith('/')) path = "/local/domain/0/" + path;
        if (path.Length > 1) path = path.TrimEnd('/');
        return path;
    }

    private static string Parent(string path) => path.LastIndexOf('/') is int i && i > 0 ? path[..i] : "/";

    private void SetNode(string path, string value)
    {
        for (string p = Parent(path); !_nodes.ContainsKey(p); p = Parent(p)) _nodes[p] = "";
        _nodes[path] = value;
        FireWatches(path);
    }

    private void RemoveTree(string path)
    {
        foreach (string k in _nodes.Keys.Where(k => k == path || k.StartsWith(path + "/", StringComparison.Ordinal)).ToList())
            _nodes.Remove(k);
        FireWatches(path);
    }

    private List<string> Children(string path)
    {
        string prefix = path == "/" ? "/" : path + "/";
        return _nodes.Keys.Where(k => k.Length > prefix.Length && k.StartsWith(prefix, StringComparison.Ordinal) && k.IndexOf('/', prefix.Length) < 0)
            .Select(k => k[prefix.Length..]).ToList();
    }

    private void AcceptLoop()
    {
        while (!_stopped)
        {
            Socket client;
            try { client = _listener.Accept(); }
            catch (SocketException) { return; }
            catch (ObjectDisposedException) { return; }
            var conn = new Connection(this, client);
            lock (_connections) _connections.Add(conn);
            new Thread(conn.Serve) { IsBackground = true, Name = "xenstored-conn" }.Start();
        }
    }

    private void FireWatches(string changed)
    {
        List<Connection> conns;
        lock (_connections) conns = _connections.ToList();
        foreach (var c in conns) c.Notify(changed);
    }

    public void Dispose()
    {
        _stopped = true;
        _listener.Dispose();
        lock (_connections) foreach (var c in _connections) c.Close();
        File.Delete(SocketPath);
    }

    private sealed class Connection
    {
        private readonly XenstoreServer _server;
        private readonly Socket _socket;
        private readonly List<(string Path, string Token)> _watches = new();
        private readonly object _sendLock = new();

        public Connection(XenstoreServer server, Socket socket)
        {
            _server = server;
            _socket = socket;
        }

        public void Close() => _socket.Dispose();

        public void Serve()
        {
            var header = new byte[16];
            try
            {
                while (ReadExact(header))
                {
                    uint type = BinaryPrimitives.ReadUInt32LittleEndian(header);
                    uint reqId = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
                    uint txId = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
                    uint len = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
                    if (len > 4096) return;
                    var payload = new byte[len];
                    if (!ReadExact(payload)) return;
                    var (replyType, reply) = Handle(type, payload);
                    Send(replyType, reqId, txId, reply);
                    if (type == WATCH && replyType == WATCH)
                    {
                        var parts = Split(payload);
                        Send(WATCH_EVENT, 0, 0, Z(parts[0]).Concat(Z(parts.Count > 1 ? parts[1] : "")).ToArray());
                    }
                }
            }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
            finally
            {
                lock (_server._connections) _server._connections.Remove(this);
                _socket.Dispose();
            }
        }

        private (uint, byte[]) Handle(uint type, byte[] payload)
        {
            var args = Split(payload);
            string arg0 = args.Count > 0 ? args[0] : "";
            lock (_server.Requests) _server.Requests.Add(TypeName(type) + " " + arg0);
            var nodes = _server._nodes;
            lock (nodes)
            {
                switch (type)
                {
                    case READ:
                    {
                        string p = Canonical(arg0);
                        return nodes.TryGetValue(p, out var v) ? (READ, Encoding.UTF8.GetBytes(v)) : Error("ENOENT");
                    }
                    case WRITE:
                    {
                        int nul = Array.IndexOf(payload, (byte)0);
                        if (nul < 0) return Error("EINVAL");
                        string p = Canonical(Encoding.UTF8.GetString(payload, 0, nul));
                        _server.SetNode(p, Encoding.UTF8.GetString(payload, nul + 1, payload.Length - nul - 1));
                        return Ok(WRITE);
                    }
                    case MKDIR:
                    {
                        string p = Canonical(arg0);
                        if (!nodes.ContainsKey(p)) _server.SetNode(p, "");
                        return Ok(MKDIR);
                    }
                    case RM:
                    {
                        string p = Canonical(arg0);
                        if (!nodes.ContainsKey(p)) return nodes.ContainsKey(Parent(p)) ? Ok(RM) : Error("ENOENT");
                        _server.RemoveTree(p);
                        return Ok(RM);
                    }
                    case DIRECTORY:
                    {
                        string p = Canonical(arg0);
                        if (!nodes.ContainsKey(p)) return Error("ENOENT");
                        return (DIRECTORY, _server.Children(p).SelectMany(Z).ToArray());
                    }
                    case DIRECTORY_PART:
                    {
                        string p = Canonical(arg0);
                        if (!nodes.ContainsKey(p)) return Error("ENOENT");
                        int offset = args.Count > 1 && int.TryParse(args[1], out int o) ? o : 0;
                        byte[] all = _server.Children(p).SelectMany(Z).ToArray();
                        // generation count, then the children from offset, then an empty string when done
                        byte[] rest = all.Skip(offset).ToArray();
                        return (DIRECTORY_PART, Z("0").Concat(rest).Concat(new byte[] { 0 }).ToArray());
                    }
                    case GET_PERMS:
                        return nodes.ContainsKey(Canonical(arg0)) ? (GET_PERMS, Z("n0")) : Error("ENOENT");
                    case SET_PERMS:
                        return nodes.ContainsKey(Canonical(arg0)) ? Ok(SET_PERMS) : Error("ENOENT");
                    case TRANSACTION_START:
                        return (TRANSACTION_START, Z((_server._nextTx++).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    case TRANSACTION_END:
                        return Ok(TRANSACTION_END);
                    case GET_DOMAIN_PATH:
                        return (GET_DOMAIN_PATH, Z("/local/domain/" + arg0));
                    case IS_DOMAIN_INTRODUCED:
                        return (IS_DOMAIN_INTRODUCED, Z("T"));
                    case WATCH:
                        lock (_watches) _watches.Add((Canonical(arg0), args.Count > 1 ? args[1] : ""));
                        return Ok(WATCH);
                    case UNWATCH:
                        lock (_watches) _watches.RemoveAll(w => w.Path == Canonical(arg0));
                        return Ok(UNWATCH);
                    case RESET_WATCHES:
                        lock (_watches) _watches.Clear();
                        return Ok(RESET_WATCHES);
                    default:
                        return Error("ENOSYS");
                }
            }
        }

        public void Notify(string changed)
        {
            List<(string Path, string Token)> hits;
            lock (_watches)
                hits = _watches.Where(w => changed == w.Path || changed.StartsWith(w.Path + "/", StringComparison.Ordinal) || w.Path.StartsWith(changed + "/", StringComparison.Ordinal)).ToList();
            foreach (var (path, token) in hits)
            {
                try { Send(WATCH_EVENT, 0, 0, Z(changed).Concat(Z(token)).ToArray()); }
                catch (SocketException) { }
                catch (ObjectDisposedException) { }
            }
        }

        private void Send(uint type, uint reqId, uint txId, byte[] payload)
        {
            var msg = new byte[16 + payload.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(msg, type);
            BinaryPrimitives.WriteUInt32LittleEndian(msg.AsSpan(4), reqId);
            BinaryPrimitives.WriteUInt32LittleEndian(msg.AsSpan(8), txId);
            BinaryPrimitives.WriteUInt32LittleEndian(msg.AsSpan(12), (uint)payload.Length);
            payload.CopyTo(msg, 16);
            lock (_sendLock) _socket.Send(msg);
        }

        private bool ReadExact(byte[] buf)
        {
            int got = 0;
            while (got < buf.Length)
            {
                int n = _socket.Receive(buf, got, buf.Length - got, SocketFlags.None);
                if (n == 0) return false;
                got += n;
            }
            return true;
        }

        private static List<string> Split(byte[] payload)
        {
            string s = Encoding.UTF8.GetString(payload);
            if (s.EndsWith('\0')) s = s[..^1];
            return s.Split('\0').ToList();
        }

        private static byte[] Z(string s) => Encoding.UTF8.GetBytes(s + "\0");
        private static (uint, byte[]) Ok(uint type) => (type, Z("OK"));
        private static (uint, byte[]) Error(string errno) => (ERROR, Z(errno));

        private static string TypeName(uint t) => t switch
        {
            READ => "READ", WRITE => "WRITE", MKDIR => "MKDIR", RM => "RM", DIRECTORY => "DIRECTORY",
            DIRECTORY_PART => "DIRECTORY_PART", GET_PERMS => "GET_PERMS", SET_PERMS => "SET_PERMS",
            TRANSACTION_START => "TRANSACTION_START", TRANSACTION_END => "TRANSACTION_END",
            WATCH => "WATCH", UNWATCH => "UNWATCH", GET_DOMAIN_PATH => "GET_DOMAIN_PATH", CONTROL => "CONTROL",
            _ => "TYPE" + t,
        };
    }
}
