using System.IO;
using System.Linq;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

public class AppController : Controller
{
    private AppDb db;

    public IActionResult Index(string q)
    {
        return View(new SearchModel { Query = q });
    }

    public IActionResult File(string name)
    {
        var path = Path.Combine("/srv/files", Path.GetFileName(name));
        return PhysicalFile(path, "application/octet-stream");
    }

    public IActionResult Users(string name)
    {
        var users = db.Users.Where(u => u.Name == name).ToList();
        var more = db.Users.FromSqlInterpolated($"SELECT * FROM Users WHERE Name = {name}").ToList();
        return Json(users.Concat(more));
    }

    public IActionResult Hello(string q)
    {
        return Content("<p>" + HtmlEncoder.Default.Encode(q) + "</p>", "text/html");
    }
}
