using System.Data.SqlClient;
using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

public class UsersController : Controller
{
    private SqlConnection conn;

    public IActionResult Find(string name)
    {
        var cmd = new SqlCommand("SELECT * FROM Users WHERE Name = '" + name + "'", conn); // EXPECT sqli
        return Ok(cmd.ExecuteScalar());
    }

    [HttpGet("run")]
    public IActionResult Run([FromQuery] string input)
    {
        Process.Start("cmd.exe", "/c " + input); // EXPECT cmd
        return Ok();
    }

    public IActionResult Back(string returnUrl)
    {
        return Redirect(returnUrl); // EXPECT redirect
    }
}
