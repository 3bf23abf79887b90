using System.Data.SqlClient;
using Microsoft.AspNetCore.Mvc;

public class SafeController : Controller
{
    private SqlConnection conn;

    public IActionResult Find(string name)
    {
        var cmd = new SqlCommand("SELECT * FROM Users WHERE Name = @name", conn);
        cmd.Parameters.AddWithValue("@name", name);
        return Ok(cmd.ExecuteScalar());
    }

    public IActionResult Back(string returnUrl)
    {
        if (Url.IsLocalUrl(returnUrl))
        {
            return Redirect(returnUrl);
        }
        return RedirectToAction("Index");
    }

    public IActionResult Local(string returnUrl)
    {
        return LocalRedirect(returnUrl);
    }

    public IActionResult Echo(string q)
    {
        return Json(new { q });
    }
}
