using System;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Newtonsoft.Json.Linq;
using dvcsharp_core_api.Data;

namespace dvcsharp_core_api
{
   [Route("api/[controller]")]
   public class UsersController : Controller
   {
      private readonly GenericDataContext _context;

      public UsersController(GenericDataContext context)
      {
         _context = context;
      }

      [Authorize]
      [HttpGet("import")]
      public async Task<IActionResult> Import()
      {
         HttpClient client = new HttpClient();
         var url = HttpContext.Request.Query["url"].ToString();

         string responseBody = null;
         string errorMsg = "Success";

         try {
            HttpResponseMessage response = await client.GetAsync(url); // EXPECT server-side request to a URL from the query
            response.EnsureSuccessStatusCode();
            responseBody = await response.Content.ReadAsStringAsync();
         }
         catch(Exception e) {
            errorMsg = e.Message;
         }

         return Ok(new JObject(
            new JProperty("Error", errorMsg),
            new JProperty("Content", responseBody)
         ));
      }
   }
}
