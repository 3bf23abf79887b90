using System;
using System.Web;

public class UnvalidatedUrlHandler : IHttpHandler
{
    public bool IsReusable => false;

    public void ProcessRequest(HttpContext ctx)
    {
        ctx.Response.Redirect(ctx.Request.QueryString["page"]); // EXPECT redirect to a URL from the query string
    }
}
