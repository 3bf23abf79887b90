/* OWASP Benchmark v1.2 (GPL-2.0): licence header shortened. */
package org.owasp.benchmark.testcode;

import java.io.IOException;

import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

@WebServlet(value="/BenchmarkTest00011")
public class BenchmarkTest00011 extends HttpServlet {

	private static final long serialVersionUID = 1L;

	@Override
	public void doGet(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
		doPost(request, response);
	}

	@Override
	public void doPost(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
		response.setContentType("text/html");

		String param = "";
		java.util.Enumeration<String> headers = request.getHeaders("BenchmarkTest00011");

		if (headers != null && headers.hasMoreElements()) {
			param = headers.nextElement(); // just grab first element
		}
		param = java.net.URLDecoder.decode(param, "UTF-8");

		java.io.File fileTarget = new java.io.File(param, "/Test.txt"); // EXPECT path traversal
		response.getWriter().println("Access to file: '" + org.owasp.esapi.ESAPI.encoder().encodeForHTML(fileTarget.toString()) + "' created.");
		if (fileTarget.exists()) {
			response.getWriter().println(" And file already exists.");
		}
	}
}
