using System.Data.SqlClient;
using System.Net;
using System.Net.Http;
using System.Runtime.Serialization.Formatters.Binary;

class Example
{
    void Tls(HttpClientHandler handler)
    {
        // ruleid: cs-certificate-validation-disabled
        ServicePointManager.ServerCertificateValidationCallback = (sender, cert, chain, errors) => true;
        // ruleid: cs-certificate-validation-disabled
        handler.ServerCertificateCustomValidationCallback = (message, cert, chain, errors) => true;
        // ok: cs-certificate-validation-disabled
        handler.ServerCertificateCustomValidationCallback = (message, cert, chain, errors) => errors == System.Net.Security.SslPolicyErrors.None;
    }

    object Read(System.IO.Stream stream)
    {
        // ruleid: cs-insecure-deserializer
        var formatter = new BinaryFormatter();
        // ok: cs-insecure-deserializer
        var reader = new System.IO.StreamReader(stream);
        return formatter.Deserialize(stream);
    }

    void Query(SqlConnection conn, string id)
    {
        // ruleid: cs-sql-string-concatenation
        var cmd = new SqlCommand("SELECT * FROM Users WHERE Id = '" + id + "'", conn);
        // ok: cs-sql-string-concatenation
        var safe = new SqlCommand("SELECT * FROM Users WHERE Id = @id", conn);
        safe.Parameters.AddWithValue("@id", id);
    }
}

class Raw
{
    void Run(System.Data.IDbCommand command, string name)
    {
        // ruleid: cs-sql-string-concatenation
        command.CommandText = "DELETE FROM Users WHERE Name = '" + name + "'";
        // ok: cs-sql-string-concatenation
        command.CommandText = "DELETE FROM Users WHERE Name = @name";
        // ok: cs-insecure-deserializer
        var json = System.Text.Json.JsonSerializer.Deserialize<string>(name);
    }
}

class SerializerSettings
{
    JsonSerializerSettings Settings { get; set; }

    void Configure(string text)
    {
        Settings = new JsonSerializerSettings();
        // ruleid: cs-insecure-deserializer-settings
        Settings.TypeNameHandling = TypeNameHandling.Auto;
        // ok: cs-insecure-deserializer-settings
        Settings.TypeNameHandling = TypeNameHandling.None;
        // ruleid: cs-insecure-deserializer-settings
        var inline = new JsonSerializerSettings { Formatting = Formatting.Indented, TypeNameHandling = TypeNameHandling.Objects };
        // ok: cs-insecure-deserializer-settings
        var plain = new JsonSerializerSettings { TypeNameHandling = TypeNameHandling.None };
        // ruleid: cs-insecure-deserializer-settings
        var resolving = new JavaScriptSerializer(new SimpleTypeResolver());
        // ok: cs-insecure-deserializer-settings
        var safe = new JavaScriptSerializer();
        safe.DeserializeObject(text);
    }
}
