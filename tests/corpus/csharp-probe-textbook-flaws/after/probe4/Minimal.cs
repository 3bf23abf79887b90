using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

var app = WebApplication.Create(args);
app.MapGet("/hi", (string name) => Results.Content("<h1>" + name + "</h1>", "text/html")); // EXPECT xss
app.MapGet("/run", (string cmd) => { Process.Start("/bin/sh", "-c " + cmd); return Results.Ok(); }); // EXPECT cmd
app.MapGet("/go", (HttpContext ctx) => Results.Redirect(ctx.Request.Query["next"])); // EXPECT redirect
app.Run();
