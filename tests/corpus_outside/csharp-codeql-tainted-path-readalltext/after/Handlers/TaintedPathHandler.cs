using System;
using System.IO;
using System.Web;

public class TaintedPathHandler : IHttpHandler
{
    public bool IsReusable => false;

    public void ProcessRequest(HttpContext ctx)
    {
        String filename = ctx.Request.QueryString["path"];
        ctx.Response.Write(File.ReadAllText(filename)); // EXPECT any file on the server can be read
    }
}
