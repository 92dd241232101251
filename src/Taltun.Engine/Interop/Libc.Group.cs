using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static unsafe partial class Libc
{
    /// <summary>The start of struct group: the name, the password, the group id (glibc, 64-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Group
    {
        public nint Name;
        public nint Password;
        public uint Gid;
        public nint Members;
    }

    /// <summary>getgrnam_r(3): the group of that name through NSS (files, LDAP…); 0 with a null result if there is none.</summary>
    [LibraryImport("libc", EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int GetGroupByName(string name, Group* group, byte* buffer, nuint length, Group** result);

    /// <summary>The id of group <paramref name="name"/>, or null if there is no such group.</summary>
    internal static uint? GroupId(string name)
    {
        Group group;
        Group* result = null;
        byte* buffer = stackalloc byte[16384];
        return GetGroupByName(name, &group, buffer, 16384, &result) == 0 && result != null ? group.Gid : null;
    }
}
