/* OWASP Benchmark v1.2 (GPL-2.0): licence header shortened. */
package org.owasp.benchmark.testcode;

import java.io.IOException;

import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

@WebServlet(value="/BenchmarkTest00051")
public class BenchmarkTest00051 extends HttpServlet {

	private static final long serialVersionUID = 1L;

	@Override
	public void doGet(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
		doPost(request, response);
	}

	@Override
	public void doPost(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
		response.setContentType("text/html");

		org.owasp.benchmark.helpers.SeparateClassRequest scr =
				new org.owasp.benchmark.helpers.SeparateClassRequest(request);
		String param = scr.getTheValue("BenchmarkTest00051");

		String a1 = "";
		String a2 = "";
		String osName = System.getProperty("os.name");
		if (osName.indexOf("Windows") != -1) {
			a1 = "cmd.exe";
			a2 = "/c";
		} else {
			a1 = "sh";
			a2 = "-c";
		}
		String[] args = {a1, a2, "echo " + param};

		ProcessBuilder pb = new ProcessBuilder(args);

		try {
			Process p = pb.start();
			org.owasp.benchmark.helpers.Utils.printOSCommandResults(p, response);
		} catch (IOException e) {
			throw new ServletException(e);
		}
	}
}
