package demo;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.QueryParam;
import javax.ws.rs.PathParam;
import javax.ws.rs.core.Response;
import java.sql.Connection;
import java.sql.Statement;

@Path("/items")
public class ItemResource {
    private Connection conn;

    @GET
    public Response find(@QueryParam("name") String name) throws Exception {
        Statement st = conn.createStatement();
        st.executeQuery("SELECT * FROM items WHERE name = '" + name + "'"); // EXPECT sqli
        return Response.ok().build();
    }

    @GET
    @Path("/{file}")
    public Response file(@PathParam("file") String file) throws Exception {
        return Response.ok(new java.io.File("/srv/files/" + file)).build(); // EXPECT path
    }

    @GET
    @Path("/run")
    public Response run(@QueryParam("cmd") String cmd) throws Exception {
        Runtime.getRuntime().exec(cmd); // EXPECT cmd
        return Response.ok().build();
    }
}
