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
        // ruleid: cs-xxe-dtd-processing
        var doc = new XmlDocument { XmlResolver = new XmlUrlResolver() };
        // ok: cs-xxe-dtd-processing
        var plain = new XmlDocument { XmlResolver = null };
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

public class AccountController : BaseController, IDisposable
{
    public async Task<IActionResult> Find(string name)
    {
        // ruleid: cs-taint-sql-injection
        var users = await _conn.QueryAsync<User>("SELECT * FROM Users WHERE Name = '" + name + "'");
        // ok: cs-taint-sql-injection
        var same = await _conn.QueryAsync<User>("SELECT * FROM Users WHERE Name = @name", new { name });
        // ruleid: cs-taint-sql-injection
        var rows = _db.Database.SqlQuery<User>("SELECT * FROM Users WHERE Name = '" + name + "'");
        // ruleid: cs-taint-sql-injection
        var reader = SqlHelper.ExecuteReader(_conn, CommandType.Text, "SELECT * FROM Users WHERE Name = '" + name + "'");
        // ok: cs-taint-sql-injection
        var fixedReader = SqlHelper.ExecuteReader(_conn, CommandType.StoredProcedure, "FindUsers", name);
        // ruleid: cs-taint-ldap-injection
        var searcher = new DirectorySearcher("(&(objectClass=user)(cn=" + name + "))");
        // ok: cs-taint-ldap-injection
        var escaped = new DirectorySearcher("(&(objectClass=user)(cn=" + Encoder.LdapFilterEncode(name) + "))");
        // ruleid: cs-taint-xpath-injection
        var node = _users.SelectSingleNode("//user[name/text()='" + name + "']");
        // ok: cs-taint-xpath-injection
        var all = _users.SelectNodes("//user");
        // ruleid: cs-taint-ssrf
        var avatar = await _http.GetFromJsonAsync<Avatar>("https://" + name + "/avatar.json");
        // ok: cs-taint-ssrf
        var fixedAvatar = await _http.GetFromJsonAsync<Avatar>("https://api.example.com/avatar.json");
        return Ok(users);
    }

    public IActionResult Back(string next)
    {
        // ruleid: cs-taint-open-redirect
        Response.Headers["Location"] = next;
        // ok: cs-taint-open-redirect
        Response.Headers["Location"] = "/home";
        // ruleid: cs-taint-xss
        return Content("<a href='" + next + "'>back</a>", "text/html; charset=utf-8");
    }

    public IActionResult Tool(string args)
    {
        // ruleid: cs-taint-command-injection
        var psi = new ProcessStartInfo { FileName = "convert", Arguments = args };
        // ok: cs-taint-command-injection
        var fixedPsi = new ProcessStartInfo { FileName = "convert", Arguments = "-version" };
        return Ok();
    }

    public IActionResult Load(string state)
    {
        var formatter = new BinaryFormatter();
        // ruleid: cs-taint-deserialization
        var obj = formatter.Deserialize(new MemoryStream(Convert.FromBase64String(state)));
        var settings = new JsonSerializerSettings { TypeNameHandling = TypeNameHandling.Auto };
        // ruleid: cs-taint-deserialization
        var order = JsonConvert.DeserializeObject<Order>(state, settings);
        var plain = new JsonSerializerSettings { TypeNameHandling = TypeNameHandling.None };
        // ok: cs-taint-deserialization
        var fixedOrder = JsonConvert.DeserializeObject<Order>(state, plain);
        return Ok(obj);
    }
}

public class Lookup
{
    public string Find([FromQuery] string q, string local)
    {
        // ruleid: cs-taint-sql-injection
        var cmd = new SqlCommand { CommandText = "SELECT * FROM Items WHERE Name = '" + q + "'" };
        // ok: cs-taint-sql-injection
        var other = new SqlCommand { CommandText = "SELECT * FROM Items WHERE Name = '" + local + "'" };
        return "";
    }

    public static void Routes(WebApplication app)
    {
        // ruleid: cs-taint-ssrf
        app.MapGet("/fetch", async (string url, HttpClient client) => await client.GetStringAsync(url));
        // ok: cs-taint-ssrf
        app.MapGet("/status", async (HttpClient client) => await client.GetStringAsync("https://status.example.com/"));
        app.MapPost("/run", (string script) =>
        {
            // ruleid: cs-taint-command-injection
            Process.Start("/bin/sh", "-c " + script);
            return Results.Ok();
        });
        app.MapGet("/uptime", async (string unused) =>
        {
            // ok: cs-taint-command-injection
            Process.Start("/usr/bin/uptime");
            return Results.Ok();
        });
    }
}

public partial class SearchPage : System.Web.UI.Page
{
    protected void Search_Click(object sender, EventArgs e)
    {
        string sql = "SELECT * FROM Products WHERE Name LIKE '%" + SearchTerms.Text + "%'";
        // ruleid: cs-taint-sql-injection
        var adapter = new SqlDataAdapter(sql, _conn);
        // ok: cs-taint-sql-injection
        var fixedAdapter = new SqlDataAdapter("SELECT * FROM Products WHERE Name LIKE @name", _conn);
        // ruleid: cs-taint-xss
        ResultPanel.Controls.Add(new LiteralControl("<b>" + SearchTerms.Text + "</b>"));
        // ok: cs-taint-xss
        ResultPanel.Controls.Add(new LiteralControl("<b>" + Server.HtmlEncode(SearchTerms.Text) + "</b>"));
        // ruleid: cs-taint-path-traversal
        FileUploader.SaveAs(Server.MapPath("~/uploads/") + txtFolder.Text + "/" + FileUploader.FileName);
        // ok: cs-taint-path-traversal
        FileUploader.SaveAs(Path.Combine(_uploads, Path.GetFileName(FileUploader.FileName)));
        // ruleid: cs-taint-xss
        Page.ClientScript.RegisterStartupScript(GetType(), "greet", "alert('" + ddlCountry.SelectedValue + "');", true);
        // ok: cs-taint-xss
        Page.ClientScript.RegisterStartupScript(GetType(), "greet", "alert('hello');", true);
    }
}

public partial class ProductSearch : System.Web.UI.Page
{
    protected void Search_Click(object sender, EventArgs e)
    {
        LoadResults(txtQuery.Text);
        LoadFeatured(lblHeading.Text);
    }

    private void LoadResults(string query)
    {
        // ruleid: cs-taint-sql-injection
        var adapter = new SqlDataAdapter("SELECT * FROM Products WHERE Name = '" + query + "'", _conn);
    }

    private void LoadFeatured(string heading)
    {
        // ok: cs-taint-sql-injection
        var adapter = new SqlDataAdapter("SELECT * FROM Products WHERE Heading = '" + heading + "'", _conn);
    }
}

public class OrdersController : Controller
{
    public IActionResult Index(string customer)
    {
        return View(Find(customer));
    }

    private List<Order> Find(string who)
    {
        // ruleid: cs-taint-sql-injection
        return _conn.Query<Order>("SELECT * FROM Orders WHERE Customer = '" + who + "'").ToList();
    }

    private List<Order> Recent(string region)
    {
        // ok: cs-taint-sql-injection
        return _conn.Query<Order>("SELECT * FROM Orders WHERE Region = '" + region + "'").ToList();
    }
}

public class FormulaHandler : System.Web.IHttpHandler
{
    public bool IsReusable => false;

    public void ProcessRequest(System.Web.HttpContext ctx)
    {
        string formula = ctx.Request.QueryString["formula"];
        var code = new System.Text.StringBuilder("public class Calc { public int Run() { return ");
        code.Append(formula);
        code.Append("; } }");
        var provider = new Microsoft.CSharp.CSharpCodeProvider();
        var options = new System.CodeDom.Compiler.CompilerParameters();
        // ruleid: cs-taint-code-injection
        var compiled = provider.CompileAssemblyFromSource(options, code.ToString());
        // ok: cs-taint-code-injection
        var fixedCode = provider.CompileAssemblyFromSource(options, "public class Calc { public int Run() { return 1; } }");
        int value = int.Parse(ctx.Request.QueryString["value"]);
        // ok: cs-taint-code-injection
        var sum = CSharpScript.EvaluateAsync<int>("1 + " + value);
        // ruleid: cs-taint-code-injection
        var result = CSharpScript.EvaluateAsync(ctx.Request.Form["expr"]);
    }
}

// --- framework sink APIs from each framework's documentation -----------------------------------

public class ProfileController : Controller
{
    public IActionResult Back(string returnUrl)
    {
        if (returnUrl == "/dashboard")
        {
            // ok: cs-taint-open-redirect
            return Redirect(returnUrl);
        }
        // ruleid: cs-taint-open-redirect
        Response.Headers.Append(HeaderNames.Location, returnUrl);
        // ruleid: cs-taint-open-redirect
        return Redirect(returnUrl);
    }
}

public static class MinimalEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/hello", (string name) =>
            // ruleid: cs-taint-xss
            Results.Text($"<p>{name}</p>", "text/html"));
        app.MapGet("/plain", (string name) =>
            // ok: cs-taint-xss
            Results.Text($"{name}", "text/plain"));
        app.MapGet("/file", (string name) =>
            // ruleid: cs-taint-path-traversal
            Results.PhysicalFile("/srv/files/" + name));
    }
}

[HtmlTargetElement("greeting")]
public class GreetingTagHelper : TagHelper
{
    public void Show(HttpContext ctx, TagHelperOutput output)
    {
        // ruleid: cs-taint-xss
        output.Content.SetHtmlContent("<b>" + ctx.Request.Query["name"] + "</b>");
        // ok: cs-taint-xss
        output.Content.SetContent(ctx.Request.Query["name"]);
    }
}

public class FileHandler : IHttpHandler
{
    public void ProcessRequest(HttpContext ctx)
    {
        string path = ctx.Request.QueryString["path"];
        if (path.Contains("..") || path.Contains("/") || path.Contains("\\"))
        {
            return;
        }
        // ok: cs-taint-xss
        ctx.Response.Write(File.ReadAllText(path));
    }
}

public class EchoController : Controller
{
    public IActionResult Echo(string text)
    {
        // ok: cs-taint-xss
        var plain = new ContentResult { Content = text, ContentType = "text/plain" };
        // ruleid: cs-taint-xss
        return new ContentResult { Content = "<p>" + text + "</p>", ContentType = "text/html" };
    }
}
