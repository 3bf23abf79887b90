/* OWASP Benchmark v1.2 (GPL-2.0): licence header shortened. */
package org.owasp.benchmark.testcode;

import java.io.IOException;

import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

@WebServlet(value="/BenchmarkTest00006")
public class BenchmarkTest00006 extends HttpServlet {

	private static final long serialVersionUID = 1L;

	@Override
	public void doGet(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
		doPost(request, response);
	}

	@Override
	public void doPost(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
		response.setContentType("text/html");

		String param = "";
		if (request.getHeader("BenchmarkTest00006") != null) {
			param = request.getHeader("BenchmarkTest00006");
		}
		param = java.net.URLDecoder.decode(param, "UTF-8");

		java.util.List<String> argList = new java.util.ArrayList<String>();
		String osName = System.getProperty("os.name");
		if (osName.indexOf("Windows") != -1) {
			argList.add("cmd.exe");
			argList.add("/c");
		} else {
			argList.add("sh");
			argList.add("-c");
		}
		argList.add("echo " + param);

		ProcessBuilder pb = new ProcessBuilder();

		pb.command(argList); // EXPECT command injection

		try {
			Process p = pb.start();
			org.owasp.benchmark.helpers.Utils.printOSCommandResults(p, response);
		} catch (IOException e) {
			throw new ServletException(e);
		}
	}
}
