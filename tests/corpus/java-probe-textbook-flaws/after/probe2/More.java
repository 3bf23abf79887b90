package demo;

import java.io.File;
import java.io.ObjectInputStream;
import java.net.URL;
import javax.naming.directory.DirContext;
import javax.persistence.EntityManager;
import javax.script.ScriptEngine;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.xml.parsers.DocumentBuilderFactory;

public class More extends HttpServlet {
    private EntityManager em;
    private ScriptEngine engine;
    private DirContext ctx;

    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws Exception {
        Object o = new ObjectInputStream(request.getInputStream()).readObject(); // EXPECT deser
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(request.getInputStream()); // EXPECT xxe
        File f = new File("/srv/uploads", request.getParameter("f")); // EXPECT path
        new URL(request.getParameter("u")).openStream(); // EXPECT ssrf
        em.createQuery("SELECT u FROM User u WHERE u.name = '" + request.getParameter("n") + "'").getResultList(); // EXPECT sqli
        engine.eval(request.getParameter("script")); // EXPECT code
        ctx.search("ou=users", "(uid=" + request.getParameter("user") + ")", null); // EXPECT ldap
    }
}
