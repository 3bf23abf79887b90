using System;
using System.Web;

public class XSSHandler : IHttpHandler
{
    public bool IsReusable => false;

    public void ProcessRequest(HttpContext ctx)
    {
        ctx.Response.Write(
            "The page \"" + ctx.Request.QueryString["page"] + "\" was not found."); // EXPECT request value written to the response
    }
}
