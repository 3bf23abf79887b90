using System.Web;
using System.Xml;

public class XMLHandler : IHttpHandler
{
    public bool IsReusable => false;

    public void ProcessRequest(HttpContext ctx)
    {
        XmlTextReader reader = new XmlTextReader(ctx.Request.QueryString["document"]); // EXPECT XML reader with entity resolution on request data
        while (reader.Read())
        {
            ctx.Response.Write(reader.Name);
        }
    }
}
