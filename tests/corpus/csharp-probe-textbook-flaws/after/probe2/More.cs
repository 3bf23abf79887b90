using System.IO;
using System.Net.Http;
using System.Runtime.Serialization.Formatters.Binary;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

public class FilesController : Controller
{
    private AppDb db;
    private HttpClient http;

    [HttpGet("read")]
    public IActionResult Read([FromQuery] string name)
    {
        return Content(System.IO.File.ReadAllText(Path.Combine("/srv/data", name))); // EXPECT path
    }

    [HttpPost("load")]
    public IActionResult Load()
    {
        var obj = new BinaryFormatter().Deserialize(Request.Body); // EXPECT deser
        return Ok(obj);
    }

    [HttpGet("fetch")]
    public async System.Threading.Tasks.Task<IActionResult> Fetch(string url)
    {
        var r = await http.GetAsync(url); // EXPECT ssrf
        return Ok(r.StatusCode);
    }

    [HttpGet("users")]
    public IActionResult Users(string name)
    {
        return Ok(db.Users.FromSqlRaw($"SELECT * FROM Users WHERE Name = '{name}'").ToList()); // EXPECT sqli
    }
}
