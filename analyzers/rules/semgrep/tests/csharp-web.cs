using System.Data.SqlClient;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Runtime.Serialization.Formatters.Binary;
using System.Text.Encodings.Web;
using System.Xml;
using Microsoft.AspNetCore.Mvc;

public class UsersController : Controller
{
    private readonly SqlConnection _conn;
    private readonly HttpClient _http;

    [HttpGet]
    public IActionResult Ping(string host)
    {
        // ruleid: cs-taint-command-injection
        Process.Start("cmd.exe", "/c ping " + host);
        // ok: cs-taint-command-injection
        Process.Start("ipconfig");
        return Ok();
    }

    public IActionResult Search(string name, int age)
    {
        // ruleid: cs-taint-sql-injection
        var cmd = new SqlCommand("SELECT * FROM Users WHERE Name = '" + name + "'", _conn);
        // ok: cs-taint-sql-injection
        var byAge = new SqlCommand("SELECT * FROM Users WHERE Age = " + age, _conn);
        // ok: cs-taint-sql-injection
        var safe = new SqlCommand("SELECT * FROM Users WHERE Name = @name", _conn);
        safe.Parameters.AddWithValue("@name", name);
        return Ok();
    }

    public IActionResult Hello()
    {
        string name = Request.Query["name"];
        // ruleid: cs-taint-xss
        return Content("<p>Hello " + name + "</p>", "text/html");
    }

    public IActionResult HelloSafely()
    {
        string name = Request.Query["name"];
        // ok: cs-taint-xss
        return Content("<p>Hello " + HtmlEncoder.Default.Encode(name) + "</p>", "text/html");
    }

    public IActionResult Download(string file)
    {
        // ruleid: cs-taint-path-traversal
        var bytes = System.IO.File.ReadAllBytes(Path.Combine("/srv/files", file));
        // ok: cs-taint-path-traversal
        var safe = System.IO.File.ReadAllBytes(Path.Combine("/srv/files", Path.GetFileName(file)));
        return Ok();
    }

    public async System.Threading.Tasks.Task<IActionResult> Proxy(string url)
    {
        // ruleid: cs-taint-ssrf
        var body = await _http.GetStringAsync(url);
        // ok: cs-taint-ssrf
        var item = await _http.GetStringAsync("https://api.example.com/items/" + System.Uri.EscapeDataString(url));
        return Ok(body + item);
    }

    public IActionResult Login(string returnUrl)
    {
        if (Url.IsLocalUrl(returnUrl))
        {
            // ok: cs-taint-open-redirect
            return Redirect(returnUrl);
        }
        return Redirect("/");
    }

    public IActionResult Logout(string returnUrl)
    {
        // ruleid: cs-taint-open-redirect
        return Redirect(returnUrl);
    }

    public IActionResult Restore()
    {
        // ruleid: cs-taint-deserialization
        var state = new BinaryFormatter().Deserialize(Request.Body);
        // ok: cs-taint-deserialization
        var local = new BinaryFormatter().Deserialize(System.IO.File.OpenRead("/srv/state.bin"));
        return Ok(state);
    }

    public void Parse(Stream xml)
    {
        // ruleid: cs-xxe-dtd-processing
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Parse };
        // ok: cs-xxe-dtd-processing
        var safe = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit };
    }
}

public class ArchiveExtractor
{
    public static void Extract(ZipArchive archive, string destination)
    {
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            // ruleid: cs-taint-zip-slip
            entry.ExtractToFile(Path.Combine(destination, entry.FullName));
            // ok: cs-taint-zip-slip
            entry.ExtractToFile(Path.Combine(destination, Path.GetFileName(entry.FullName)));
        }
    }
}
