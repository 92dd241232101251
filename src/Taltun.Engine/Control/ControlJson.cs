using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Taltun.Crypto;

namespace Taltun.Control;

/// <summary>
/// How the control channel's extension (<c>taltun=1</c>) writes the engine's own records as
/// JSON: keys as base64, addresses and prefixes as text, enums by name. Secrets travel only in
/// replies to the tunnel's owner (root or its own user) and only over the 0600 socket.
/// </summary>
internal static class ControlJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            MaxDepth = 16,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new TextConverter<PublicKey>(k => k.ToBase64(), PublicKey.Parse));
        options.Converters.Add(new TextConverter<PrivateKey>(k => k.ToBase64(), PrivateKey.Parse));
        options.Converters.Add(new TextConverter<PresharedKey>(k => k.ToBase64(), PresharedKey.Parse));
        options.Converters.Add(new TextConverter<IPAddress>(a => a.ToString(), IPAddress.Parse));
        options.Converters.Add(new TextConverter<IPEndPoint>(e => e.ToString(), IPEndPoint.Parse));
        options.Converters.Add(new TextConverter<IPNetwork>(n => n.ToString(), IPNetwork.Parse));
        return options;
    }

    /// <summary>A value written as one JSON string.</summary>
    private sealed class TextConverter<T>(Func<T, string> write, Func<string, T> read) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string text = reader.GetString() ?? throw new JsonException($"A {typeof(T).Name} is a string.");
            try
            {
                return read(text);
            }
            catch (Exception e) when (e is FormatException or KeyFormatException or ArgumentException)
            {
                // Never the text: it may be a key.
                throw new JsonException($"Not a valid {typeof(T).Name}.");
            }
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(write(value));
    }
}
