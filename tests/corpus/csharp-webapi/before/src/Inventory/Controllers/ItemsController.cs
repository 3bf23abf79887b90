using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.SqlClient;

namespace Inventory.Controllers;

[ApiController]
[Route("items")]
public class ItemsController : ControllerBase
{
    private readonly string _connectionString;

    public ItemsController(IConfiguration config)
    {
        _connectionString = config.GetConnectionString("Inventory")!;
    }

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Get(int id)
    {
        await using var conn = new SqlConnection(_connectionString);
        await conn.OpenAsync();
        await using var cmd = new SqlCommand("SELECT Name FROM Items WHERE Id = @id", conn);
        cmd.Parameters.AddWithValue("@id", id);
        var name = (string?)await cmd.ExecuteScalarAsync();
        return name is null ? NotFound() : Ok(name);
    }
}
