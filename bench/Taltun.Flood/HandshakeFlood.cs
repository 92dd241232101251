using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Taltun.Crypto;
using Taltun.Protocol;
using static Taltun.Protocol.MessageLayout;

namespace Taltun.Flood;

/// <summary>What a flood did: initiations sent, cookie replies received, and for how long.</summary>
public readonly record struct FloodResult(long Sent, long CookieReplies, TimeSpan Elapsed);

/// <summary>
/// Initiations with random contents and a valid mac1 for one responder, sent at a steady rate from
/// <c>sourceCount</c> consecutive addresses starting at <c>firstSource</c> (which must be local:
/// assigned, or routed to lo as "local"), several ports each. Every message needs the responder to
/// either do a Diffie-Hellman (and fail to find a peer) or answer with a cookie reply.
/// Not thread-safe: one flood per instance.
/// </summary>
public sealed class HandshakeFlood
{
    private readonly IPEndPoint _target;
    private readonly byte[] _mac1Key = new byte[Blake2s.HashSize];
    private readonly List<Socket> _sockets = [];

    public HandshakeFlood(IPEndPoint target, PublicKey responder, IPAddress firstSource, int sourceCount, int portsPerSource)
    {
        _target = target;
        MacKeys.Derive(responder, _mac1Key, new byte[Blake2s.HashSize]);
        uint first = BinaryPrimitives.ReadUInt32BigEndian(firstSource.GetAddressBytes());
        for (int i = 0; i < sourceCount; i++)
        {
            var address = new IPAddress(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(first + (uint)i)));
            for (int p = 0; p < portsPerSource; p++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
                socket.Bind(new IPEndPoint(address, 0));
                _sockets.Add(socket);
            }
        }
    }

    /// <summary>Sends <paramref name="perSecond"/> initiations a second, spread over every source, until cancelled.</summary>
    public FloodResult Run(int perSecond, CancellationToken stop)
    {
        var message = new byte[InitiationSize];
        var reply = new byte[256];
        var target = _target.Serialize();
        var clock = Stopwatch.StartNew();
        long sent = 0;
        long replies = 0;
        int next = 0;
        long lastDrain = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                // Catch up to where the rate says we should be, then rest a millisecond.
                long due = (long)(clock.Elapsed.TotalSeconds * perSecond);
                for (; sent < due && !stop.IsCancellationRequested; sent++)
                {
                    Fill(message);
                    try
                    {
                        _sockets[next].SendTo(message, SocketFlags.None, target);
                    }
                    catch (SocketException)
                    {
                        // A full socket buffer drops this one, as a real flood would lose it.
                    }

                    next = (next + 1) % _sockets.Count;
                }

                if (clock.ElapsedMilliseconds >= lastDrain + 20)
                {
                    replies += DrainReplies(reply);
                    lastDrain = clock.ElapsedMilliseconds;
                }

                Thread.Sleep(1);
            }
        }
        finally
        {
            Thread.Sleep(100);
            replies += DrainReplies(reply);
            foreach (Socket socket in _sockets)
            {
                socket.Dispose();
            }
        }

        return new FloodResult(sent, replies, clock.Elapsed);
    }

    private void Fill(byte[] message)
    {
        RandomNumberGenerator.Fill(message);
        WriteType(message, MessageType.Initiation);
        message.AsSpan(InitiationMac2, MacSize).Clear();
        Blake2s.Mac(message.AsSpan(InitiationMac1, MacSize), _mac1Key, message.AsSpan(0, InitiationMac1));
    }

    private long DrainReplies(byte[] buffer)
    {
        long cookies = 0;
        foreach (Socket socket in _sockets)
        {
            while (socket.Available > 0)
            {
                try
                {
                    int length = socket.Receive(buffer);
                    if (length == CookieReplySize && ReadType(buffer) == MessageType.CookieReply)
                    {
                        cookies++;
                    }
                }
                catch (SocketException)
                {
                    break;
                }
            }
        }

        return cookies;
    }
}
