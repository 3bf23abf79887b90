using System.Diagnostics;
using System.Xml;
using Microsoft.AspNetCore.Mvc;
using Newtonsoft.Json;

public class WebController : Controller
{
    public IActionResult Hello(string q)
    {
        return Content("<p>" + q + "</p>", "text/html"); // EXPECT xss
    }

    public IActionResult Xml(string xml)
    {
        var doc = new XmlDocument { XmlResolver = new XmlUrlResolver() }; // EXPECT xxe
        doc.LoadXml(xml); // at the line above: xxe
        return Ok();
    }

    public IActionResult Run(string arg)
    {
        Process.Start(new ProcessStartInfo("cmd.exe", "/c " + arg)); // EXPECT cmd
        return Ok();
    }

    public IActionResult Load(string json)
    {
        var o = JsonConvert.DeserializeObject(json, new JsonSerializerSettings { TypeNameHandling = TypeNameHandling.All }); // EXPECT deser
        return Ok(o);
    }
}
