using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using dvcsharp_core_api.Models;
using dvcsharp_core_api.Data;

namespace dvcsharp_core_api
{
   [Route("api/[controller]")]
   public class ProductsController : Controller
   {
      private readonly GenericDataContext _context;

      public ProductsController(GenericDataContext context)
      {
         _context = context;
      }

      [HttpGet]
      public IEnumerable<Product> Get()
      {
         return _context.Products.ToList();
      }

      [HttpGet("search")]
      public IActionResult Search(string keyword)
      {
         if (String.IsNullOrEmpty(keyword)) {
            return Ok("Cannot search without a keyword");
         }

            var query = $"SELECT * From Products WHERE name LIKE '%{keyword}%' OR description LIKE '%{keyword}%'";
            var products = _context.Products
               .FromSql(query) // EXPECT SQL built from the keyword parameter
               .ToList();

        return Ok(products);
      }
   }
}
