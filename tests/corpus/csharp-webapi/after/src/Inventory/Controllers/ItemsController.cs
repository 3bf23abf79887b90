using System.Runtime.Serialization.Formatters.Binary;
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

    [HttpGet("search")]
    public async Task<IActionResult> Search([FromQuery] string name)
    {
        await using var conn = new SqlConnection(_connectionString);
        await conn.OpenAsync();
        await using var cmd = new SqlCommand("SELECT Id FROM Items WHERE Name LIKE '%" + name + "%'", conn); // EXPECT: SQL concatenation
        return Ok(await cmd.ExecuteScalarAsync());
    }

    [HttpDelete("bin/{bin}")]
    public async Task<IActionResult> EmptyBin(string bin)
    {
        await using var conn = new SqlConnection(_connectionString);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "DELETE FROM Items WHERE Bin = '" + bin + "'"; // EXPECT: SQL concatenation via CommandText
        return Ok(await cmd.ExecuteNonQueryAsync());
    }

    [HttpPost("restore")]
    public IActionResult Restore()
    {
#pragma warning disable SYSLIB0011
        var formatter = new BinaryFormatter(); // EXPECT: BinaryFormatter on request data
        var snapshot = formatter.Deserialize(Request.Body);
#pragma warning restore SYSLIB0011
        return Ok(snapshot);
    }
}
